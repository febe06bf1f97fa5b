terraform import trellis_service.echo shop/echo
