terraform import trellis_route.echo_canary shop/echo-canary
