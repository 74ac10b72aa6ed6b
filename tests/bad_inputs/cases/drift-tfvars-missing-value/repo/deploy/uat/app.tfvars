api_url =
