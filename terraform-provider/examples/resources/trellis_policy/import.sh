terraform import trellis_policy.web_to_echo shop/web-to-echo
