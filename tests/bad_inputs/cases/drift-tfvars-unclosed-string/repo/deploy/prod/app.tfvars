api_url = "https://api.example.com"
replicas = 2
