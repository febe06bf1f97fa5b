terraform import trellis_mesh.shop shop
