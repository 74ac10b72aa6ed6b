environment    = "production"
instance_type  = "m6i.large"
instance_count = 6
enable_debug   = false
allowed_cidrs  = ["10.0.0.0/16", "10.1.0.0/16"]

tags = {
  Team        = "checkout"
  CostCenter  = "4242"
}

node_pools = [
  {
    name = "general"
    size = 3
  },
  {
    name = "spot"
    size = 2
  },
]

user_data = <<-EOT
  #!/bin/sh
  echo "hello ${name}"
EOT
