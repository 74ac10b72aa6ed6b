api_url = var.other
