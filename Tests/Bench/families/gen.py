"""Random values in the alphabets credential formats use (secrets module only)."""
import secrets, string

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
B62 = string.ascii_letters + string.digits
URLSAFE = B62 + "-_"
B64 = B62 + "+/"
HEX = "0123456789abcdef"
UPPERHEX = "0123456789ABCDEF"

def rand(n, alphabet): return "".join(secrets.choice(alphabet) for _ in range(n))
def hexs(n): return rand(n, HEX)
def b62(n): return rand(n, B62)
def urlsafe(n): return rand(n, URLSAFE)
def b64(n): return rand(n, B64)

def digits_of(n, alphabet, width):
    """n written in base len(alphabet), left-padded to width (token checksums)."""
    out = ""
    while True:
        out = alphabet[n % len(alphabet)] + out
        n //= len(alphabet)
        if n == 0: break
    return out.rjust(width, alphabet[0])
