data "trellis_mesh" "shop" {
  name = "shop"
}

output "shop_mtls" {
  value = data.trellis_mesh.shop.mtls
}
