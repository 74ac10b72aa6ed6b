api_url = "https://x
