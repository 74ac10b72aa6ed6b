api_url = <<EOT
hello
