"""The shape of a family module (and the first one planted): a quoted .env
value and its placeholder decoy."""
from families import Case, decoy
from families.gen import b62

def cases():
    s = "sk_test_" + b62(24)
    return [
        Case("stripe-test", "payments/.env.staging", f"STRIPE_SECRET_KEY=\"{s}\"\n", s),
        decoy("stripe-test", "payments/.env.example", "STRIPE_SECRET_KEY=sk_test_your_key_here\n"),
    ]
