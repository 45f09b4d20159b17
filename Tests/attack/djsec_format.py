#!/usr/bin/env python3
"""djsec's store format (docs/FORMAT.md, versions 2 and 1), implemented again
from the documentation only, with PyNaCl and hashlib.

The trust-model acceptance tests (Tests/DjsecCLITests/StoreTrustTests.swift)
use it in two roles:

- the attacker: everything an attacker does (make a key, read the public part
  of a store, forge a store, edit a store whose data key they hold) goes
  through this module, never through djsec;
- the witness: it checks what djsec wrote (subkeys, MAC, signature, who can
  open the file) without trusting djsec's own code.

Run `python3 djsec_format.py --help` for the commands. Values travel on the
command line and in JSON on stdout: this is test code, and the tests only
ever pass values they generated a moment before.

Exit codes: 0 done, 1 no such secret, 3 the key opens nothing in this store,
4 the file is not a store this module can parse (the reason on stderr).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import sys
from dataclasses import dataclass, field

import nacl.bindings as sodium
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

HEADER = "# djsec encrypted secrets: safe to commit. Change them with djsec only (see docs/FORMAT.md)."
KEY_HEADER = "# djsec private key: never commit or share this file"
KDF_CONTEXT = b"djsecst2"
VALUE_SUBKEY, MAC_SUBKEY, FINGERPRINT_SUBKEY = 1, 2, 3
MAX_STORE = 64 << 20
MAX_LINE = 1 << 20
MAX_GENERATION = 1 << 53
CONFLICT_MARKERS = (b"<<<<<<<", b"=======", b">>>>>>>")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
LABEL = re.compile(r"[A-Za-z0-9._@-]{1,64}\Z")
GENERATION = re.compile(r"[1-9][0-9]*\Z")

EXIT_MISSING, EXIT_CANNOT_OPEN, EXIT_FORMAT = 1, 3, 4


class FormatError(Exception):
    """The file is not a store as FORMAT.md describes it."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str, size: int | None = None, what: str = "base64") -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as error:
        raise FormatError(f"{what}: not base64") from error
    if size is not None and len(raw) != size:
        raise FormatError(f"{what}: {len(raw)} bytes, expected {size}")
    return raw


# Keys ------------------------------------------------------------------------


def subkey(data_key: bytes, subkey_id: int) -> bytes:
    """crypto_kdf_derive_from_key(32, subkey_id, "djsecst2", data_key), as FORMAT.md spells it in Python."""
    return hashlib.blake2b(
        b"", digest_size=32, key=data_key, salt=struct.pack("<Q", subkey_id), person=KDF_CONTEXT
    ).digest()


def signing_key(private: bytes) -> SigningKey:
    """A recipient's Ed25519 key, derived from its X25519 private key."""
    return SigningKey(hashlib.blake2b(b"djsec-sign-v1", digest_size=32, key=private).digest())


@dataclass(frozen=True)
class Identity:
    """The public identity `djsec:<base64 of BOX-PUBLIC || SIGN-PUBLIC>`."""

    box_public: bytes
    sign_public: bytes | None  # None for a version 1 recipient

    def text(self) -> str:
        if self.sign_public is None:
            return b64(self.box_public)
        return "djsec:" + b64(self.box_public + self.sign_public)

    @staticmethod
    def of_private(private: bytes) -> Identity:
        return Identity(bytes(PrivateKey(private).public_key), bytes(signing_key(private).verify_key))

    @staticmethod
    def parse(text: str) -> Identity:
        """An identity word, a `.pub` line (`djsec:... LABEL`), or the path of a `.pub` file."""
        if os.path.isfile(text):
            text = open(text, encoding="utf-8").read()
        word = text.split()[0]
        if word.startswith("djsec:"):
            raw = unb64(word[len("djsec:") :], 64, "identity")
            return Identity(raw[:32], raw[32:])
        return Identity(unb64(word, 32, "public key"), None)


def load_private(spec: str) -> bytes:
    """The 32-byte X25519 private key: a key file's `private:` line, or that base64 itself."""
    if os.path.isfile(spec):
        for line in open(spec, encoding="utf-8").read().splitlines():
            if line.startswith("private: "):
                return unb64(line[len("private: ") :], 32, "private key")
        raise FormatError(f"{spec}: no 'private:' line (passphrase-protected keys are not supported here)")
    return unb64(spec, 32, "private key")


def write_key_file(folder: str, label: str) -> Identity:
    """keys/LABEL.key (0600) and keys/LABEL.pub, as FORMAT.md's "Key files" describes them."""
    os.makedirs(folder, exist_ok=True)
    private = PrivateKey.generate()
    path = os.path.join(folder, label + ".key")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(
            f"{KEY_HEADER}\ndjsec-key: 1\nlabel: {label}\n"
            f"public: {b64(bytes(private.public_key))}\nprivate: {b64(bytes(private))}\n"
        )
    identity = Identity.of_private(bytes(private))
    with open(os.path.join(folder, label + ".pub"), "w", encoding="utf-8") as f:
        f.write(f"{identity.text()} {label}\n")
    return identity


# The store ---------------------------------------------------------------------


@dataclass
class Recipient:
    label: str
    box_public: bytes
    sign_public: bytes | None
    sealed_key: bytes

    @property
    def identity(self) -> Identity:
        return Identity(self.box_public, self.sign_public)


@dataclass
class Store:
    version: int = 2
    id: bytes = b""
    generation: int = 1
    config: dict[str, str] = field(default_factory=dict)
    recipients: list[Recipient] = field(default_factory=list)
    secrets: dict[str, bytes] = field(default_factory=dict)  # NAME -> nonce || ciphertext || tag
    mac: bytes = b""
    signer: bytes | None = None
    signature: bytes | None = None
    # The exact bytes the mac and the signature cover, as read from the file.
    mac_covered: bytes = b""
    signature_covered: bytes = b""
    signature_line: bytes = b""


def _check_order(kind: str, previous: str | None, current: str) -> None:
    if previous is not None and previous.encode() >= current.encode():
        raise FormatError(f"{kind} {current} out of order or repeated")


def parse(data: bytes) -> Store:
    """Reading, step 1: size limits, version, lines, order and uniqueness."""
    if len(data) > MAX_STORE:
        raise FormatError("larger than 64 MiB")
    if not data.endswith(b"\n"):
        raise FormatError("the last line does not end with a newline")
    lines: list[tuple[int, str]] = []  # (byte offset of the line, its text)
    offset = 0
    for raw in data[:-1].split(b"\n"):
        if len(raw) + 1 > MAX_LINE:
            raise FormatError("a line longer than 1 MiB")
        if raw.startswith(CONFLICT_MARKERS):
            raise FormatError("git conflict markers: merged without djsec's merge driver")
        lines.append((offset, raw.decode("utf-8")))
        offset += len(raw) + 1

    position = 0
    while position < len(lines) and lines[position][1].startswith("#"):
        position += 1

    def take(prefix: str) -> str | None:
        nonlocal position
        if position < len(lines) and lines[position][1].startswith(prefix):
            position += 1
            return lines[position - 1][1][len(prefix) :]
        return None

    def need(prefix: str) -> str:
        value = take(prefix)
        if value is None:
            raise FormatError(f"line {position + 1}: expected '{prefix.strip()}'")
        return value

    store = Store()
    version = need("djsec-store: ")
    if version not in ("1", "2"):
        raise FormatError(f"unknown format version {version!r}")
    store.version = int(version)
    store.id = unb64(need("id: "), 16, "id")
    if store.version == 2:
        generation = need("generation: ")
        if not GENERATION.match(generation) or int(generation) > MAX_GENERATION:
            raise FormatError(f"bad generation {generation!r}")
        store.generation = int(generation)

    previous = None
    while (line := take("config: ")) is not None:
        key, _, value = line.partition(" ")
        if not NAME.match(key):
            raise FormatError(f"bad config key {key!r}")
        _check_order("config", previous, key)
        store.config[key] = value
        previous = key

    previous = None
    fields = 4 if store.version == 2 else 3
    while (line := take("recipient: ")) is not None:
        parts = line.split(" ")
        if len(parts) != fields or not LABEL.match(parts[0]):
            raise FormatError(f"bad recipient line {line[:80]!r}")
        _check_order("recipient", previous, parts[0])
        previous = parts[0]
        sign = unb64(parts[2], 32, "sign public key") if store.version == 2 else None
        store.recipients.append(Recipient(parts[0], unb64(parts[1], 32, "box public key"), sign, unb64(parts[-1], 80, "sealed key")))
    if not store.recipients:
        raise FormatError("no recipient")

    previous = None
    while (line := take("secret: ")) is not None:
        name, _, blob = line.partition(" ")
        if not NAME.match(name) or len(name) > 128:
            raise FormatError(f"bad secret name {name[:80]!r}")
        _check_order("secret", previous, name)
        previous = name
        store.secrets[name] = unb64(blob, None, f"secret {name}")

    mac_offset = lines[position][0] if position < len(lines) else len(data)
    store.mac = unb64(need("mac: "), 32, "mac")
    store.mac_covered = data[:mac_offset]
    if store.version == 2:
        signature_offset = lines[position][0] if position < len(lines) else len(data)
        signer, _, signature = need("signature: ").partition(" ")
        store.signer = unb64(signer, 32, "signer")
        store.signature = unb64(signature, 64, "signature")
        store.signature_covered = data[:signature_offset]
        store.signature_line = data[signature_offset:].split(b"\n", 1)[0] + b"\n"
    if position != len(lines):
        raise FormatError(f"line {position + 1}: nothing may follow the last line")
    return store


def read(path: str) -> Store:
    with open(path, "rb") as f:
        return parse(f.read())


def open_data_key(store: Store, private: bytes) -> bytes | None:
    """Reading, step 2: the data key, when `private` is one of the recipients."""
    mine = bytes(PrivateKey(private).public_key)
    for recipient in store.recipients:
        if recipient.box_public == mine:
            try:
                return SealedBox(PrivateKey(private)).decrypt(recipient.sealed_key)
            except CryptoError:
                return None
    return None


def value_key(version: int, data_key: bytes) -> bytes:
    return subkey(data_key, VALUE_SUBKEY) if version == 2 else data_key


def mac_key(version: int, data_key: bytes) -> bytes:
    if version == 2:
        return subkey(data_key, MAC_SUBKEY)
    return hashlib.blake2b(b"djsec-store-v1/mac", digest_size=32, key=data_key).digest()


def fingerprint(data_key: bytes) -> str:
    """What trust records call this data key: the first 16 bytes of subkey 3."""
    return b64(subkey(data_key, FINGERPRINT_SUBKEY)[:16])


def associated_data(version: int, store_id: bytes, name: str) -> bytes:
    return b"djsec-store-v%d\x00" % version + store_id + b"\x00" + name.encode()


def encrypt(version: int, data_key: bytes, store_id: bytes, name: str, value: bytes) -> bytes:
    nonce = os.urandom(24)
    sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        value, associated_data(version, store_id, name), nonce, value_key(version, data_key)
    )
    return nonce + sealed


def decrypt(store: Store, data_key: bytes, name: str) -> bytes:
    blob = store.secrets[name]
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        blob[24:], associated_data(store.version, store.id, name), blob[:24], value_key(store.version, data_key)
    )


def mac_ok(store: Store, data_key: bytes) -> bool:
    """Reading, step 3."""
    expected = hashlib.blake2b(store.mac_covered, digest_size=32, key=mac_key(store.version, data_key)).digest()
    return hmac.compare_digest(expected, store.mac)


def signature_ok(store: Store) -> bool:
    """Reading, step 4: a valid signature by one of the file's own recipients."""
    if store.version != 2 or store.signer not in [r.sign_public for r in store.recipients]:
        return False
    try:
        VerifyKey(store.signer).verify(store.signature_covered, store.signature)
        return True
    except BadSignatureError:
        return False


def seal_to(identity: Identity, data_key: bytes) -> bytes:
    return bytes(SealedBox(PublicKey(identity.box_public)).encrypt(data_key))


def serialize(store: Store, data_key: bytes, signer: bytes | None = None, signature_line: bytes | None = None) -> bytes:
    """Writing: the lines in order, the MAC, then the signature by `signer` (a private key),
    or a `signature_line` copied verbatim from elsewhere."""
    lines = [HEADER, f"djsec-store: {store.version}", f"id: {b64(store.id)}"]
    if store.version == 2:
        lines.append(f"generation: {store.generation}")
    lines += [f"config: {key} {store.config[key]}" for key in sorted(store.config, key=str.encode)]
    for r in sorted(store.recipients, key=lambda r: r.label.encode()):
        if store.version == 2 and r.sign_public is None:
            raise FormatError(f"recipient {r.label} has no SIGN-PUBLIC (a version 1 identity): cannot write version 2")
        sign = f" {b64(r.sign_public)}" if store.version == 2 else ""
        lines.append(f"recipient: {r.label} {b64(r.box_public)}{sign} {b64(r.sealed_key)}")
    lines += [f"secret: {name} {b64(store.secrets[name])}" for name in sorted(store.secrets, key=str.encode)]
    body = ("\n".join(lines) + "\n").encode()
    body += b"mac: " + b64(hashlib.blake2b(body, digest_size=32, key=mac_key(store.version, data_key)).digest()).encode() + b"\n"
    if store.version == 2:
        if signature_line is not None:
            body += signature_line
        else:
            if signer is None:
                raise ValueError("a version 2 store needs a signer")
            key = signing_key(signer)
            body += f"signature: {b64(bytes(key.verify_key))} {b64(key.sign(body).signature)}\n".encode()
    return body


def write(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


# Commands ----------------------------------------------------------------------


def _values(args: argparse.Namespace) -> dict[str, bytes]:
    values: dict[str, bytes] = {}
    for pair in args.set or []:
        name, _, value = pair.partition("=")
        values[name] = value.encode()
    for i in range(args.fill or 0):
        values[f"FILL_{i:06d}"] = f"fill value {i}".encode()
    return values


def _recipient_args(pairs: list[str] | None) -> list[tuple[str, Identity]]:
    out = []
    for pair in pairs or []:
        label, _, identity = pair.partition("=")
        out.append((label, Identity.parse(identity)))
    return out


def command_keygen(args: argparse.Namespace) -> int:
    print(write_key_file(args.folder, args.label).text())
    return 0


def command_identity(args: argparse.Namespace) -> int:
    identity = Identity.of_private(load_private(args.key))
    print(b64(identity.sign_public) if args.sign_public else identity.text())
    return 0


def command_recipients(args: argparse.Namespace) -> int:
    for r in read(args.store).recipients:
        print(f"{r.label} {r.identity.text()}")
    return 0


def command_opens(args: argparse.Namespace) -> int:
    """Whether this key can open the data key of this file (yes/no), whatever else is wrong with it."""
    try:
        data_key = open_data_key(read(args.store), load_private(args.key))
    except (FormatError, UnicodeDecodeError) as error:
        print(f"not a store: {error}", file=sys.stderr)
        data_key = None
    print("yes" if data_key else "no")
    return 0


def command_show(args: argparse.Namespace) -> int:
    """Everything a recipient can check, as JSON: version, id, generation, signer, MAC,
    signature, data key fingerprint and the decrypted values."""
    store = read(args.store)
    data_key = open_data_key(store, load_private(args.key))
    if data_key is None:
        print("this key opens nothing in this store", file=sys.stderr)
        return EXIT_CANNOT_OPEN
    values: dict[str, str | None] = {}
    for name in store.secrets:
        try:
            values[name] = decrypt(store, data_key, name).decode("utf-8", "replace")
        except CryptoError:
            values[name] = None
    signer_labels = [r.label for r in store.recipients if store.signer and r.sign_public == store.signer]
    report = {
        "version": store.version,
        "id": b64(store.id),
        "generation": store.generation if store.version == 2 else None,
        "recipients": {r.label: r.identity.text() for r in store.recipients},
        "signer": b64(store.signer) if store.signer else None,
        "signer_label": signer_labels[0] if signer_labels else None,
        "mac_ok": mac_ok(store, data_key),
        "signature_ok": signature_ok(store),
        "fingerprint": fingerprint(data_key),
        "count": len(values),
        "values": {} if args.no_values else values,
    }
    print(json.dumps(report, sort_keys=True))
    return 0


def command_get(args: argparse.Namespace) -> int:
    store = read(args.store)
    data_key = open_data_key(store, load_private(args.key))
    if data_key is None:
        print("this key opens nothing in this store", file=sys.stderr)
        return EXIT_CANNOT_OPEN
    if args.name not in store.secrets:
        return EXIT_MISSING
    sys.stdout.write(decrypt(store, data_key, args.name).decode("utf-8", "replace") + "\n")
    return 0


def command_create(args: argparse.Namespace) -> int:
    """A brand-new store: a fresh data key (or one opened from another store), sealed to
    the recipients given, with these values, signed by --signer."""
    store = Store(version=args.version)
    recipients: list[tuple[str, Identity]] = []
    if args.like:
        # Copy the public parts of an existing store: id, generation (+1), config, recipients.
        model = read(args.like)
        store.id, store.generation, store.config = model.id, model.generation + 1, dict(model.config)
        recipients = [(r.label, r.identity) for r in model.recipients]
    else:
        store.id = os.urandom(16)
    if args.id:
        store.id = unb64(args.id, 16, "id")
    if args.generation:
        store.generation = args.generation
    recipients = [(label, identity) for label, identity in recipients if label not in (args.drop_recipient or [])]
    recipients += _recipient_args(args.recipient)
    for pair in args.config or []:
        key, _, value = pair.partition("=")
        store.config[key] = value
    if args.data_key_from:
        data_key = open_data_key(read(args.data_key_from), load_private(args.data_key_key))
        if data_key is None:
            print("--data-key-key opens nothing in --data-key-from", file=sys.stderr)
            return EXIT_CANNOT_OPEN
    else:
        data_key = os.urandom(32)
    for label, identity in recipients:
        sign = identity.sign_public if store.version == 2 else None
        store.recipients.append(Recipient(label, identity.box_public, sign, seal_to(identity, data_key)))
    for name, value in _values(args).items():
        store.secrets[name] = encrypt(store.version, data_key, store.id, name, value)
    signature_line = read(args.signature_from).signature_line if args.signature_from else None
    signer = load_private(args.signer) if args.signer else None
    write(args.out, serialize(store, data_key, signer, signature_line))
    return 0


def command_edit(args: argparse.Namespace) -> int:
    """A write by someone who holds this store's data key: values set or removed (every
    other ciphertext kept byte for byte), generation one more, MAC, signature."""
    store = read(args.store)
    private = load_private(args.key)
    data_key = open_data_key(store, private)
    if data_key is None:
        print("this key opens nothing in this store", file=sys.stderr)
        return EXIT_CANNOT_OPEN
    store.generation = args.generation or store.generation + 1
    for pair in args.config or []:
        key, _, value = pair.partition("=")
        store.config[key] = value
    for name in args.delete or []:
        store.secrets.pop(name, None)
    for name, value in _values(args).items():
        store.secrets[name] = encrypt(store.version, data_key, store.id, name, value)
    for label, identity in _recipient_args(args.add_recipient):
        store.recipients.append(Recipient(label, identity.box_public, identity.sign_public, seal_to(identity, data_key)))
    signer = load_private(args.signer) if args.signer else private
    write(args.out or args.store, serialize(store, data_key, signer))
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="djsec_format.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    c = commands.add_parser("keygen", help="write FOLDER/LABEL.key and .pub; print the identity")
    c.add_argument("folder")
    c.add_argument("label")
    c.set_defaults(run=command_keygen)

    c = commands.add_parser("identity", help="the djsec: identity of a private key (key file or base64)")
    c.add_argument("key")
    c.add_argument("--sign-public", action="store_true", help="print only the base64 SIGN-PUBLIC")
    c.set_defaults(run=command_identity)

    c = commands.add_parser("recipients", help="LABEL IDENTITY for each recipient line (public data)")
    c.add_argument("store")
    c.set_defaults(run=command_recipients)

    c = commands.add_parser("opens", help="yes when KEY opens the data key of STORE, else no")
    c.add_argument("store")
    c.add_argument("--key", required=True)
    c.set_defaults(run=command_opens)

    c = commands.add_parser("show", help="open STORE with KEY; print the checks and values as JSON")
    c.add_argument("store")
    c.add_argument("--key", required=True)
    c.add_argument("--no-values", action="store_true")
    c.set_defaults(run=command_show)

    c = commands.add_parser("get", help="print one value")
    c.add_argument("store")
    c.add_argument("name")
    c.add_argument("--key", required=True)
    c.set_defaults(run=command_get)

    for name, run, text in [
        ("create", command_create, "a new store with its own data key"),
        ("edit", command_edit, "change a store whose data key KEY opens"),
    ]:
        c = commands.add_parser(name, help=text)
        c.add_argument("--set", action="append", metavar="NAME=VALUE")
        c.add_argument("--fill", type=int, metavar="COUNT", help="COUNT more entries FILL_000000...")
        c.add_argument("--generation", type=int)
        c.add_argument("--signer", metavar="KEY", help="the private key that signs (edit: default --key)")
        c.set_defaults(run=run)
        c.add_argument("--config", action="append", metavar="KEY=VALUE")
        if name == "create":
            c.add_argument("out")
            c.add_argument("--version", type=int, choices=(1, 2), default=2)
            c.add_argument("--recipient", action="append", metavar="LABEL=IDENTITY-or-PUBFILE")
            c.add_argument("--like", metavar="STORE", help="take id, generation + 1, config and recipients from STORE")
            c.add_argument("--drop-recipient", action="append", metavar="LABEL")
            c.add_argument("--id", metavar="BASE64")
            c.add_argument("--data-key-from", metavar="STORE", help="reuse the data key of STORE ...")
            c.add_argument("--data-key-key", metavar="KEY", help="... opened with this private key")
            c.add_argument("--signature-from", metavar="STORE", help="copy STORE's signature line instead of signing")
        else:
            c.add_argument("store")
            c.add_argument("--key", required=True)
            c.add_argument("--out")
            c.add_argument("--delete", action="append", metavar="NAME")
            c.add_argument("--add-recipient", action="append", metavar="LABEL=IDENTITY-or-PUBFILE")

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (FormatError, UnicodeDecodeError) as error:
        print(f"djsec_format: {error}", file=sys.stderr)
        return EXIT_FORMAT


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
