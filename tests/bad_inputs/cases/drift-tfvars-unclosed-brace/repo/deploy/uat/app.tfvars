tags = {
  env = "uat"
