# the key itself is shown only when it is created: an imported key has key = null
terraform import trellis_api_key.ci c9rexq8nqmta
