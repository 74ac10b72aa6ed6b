api_url = "a"
api_url = "b"
