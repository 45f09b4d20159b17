import Foundation
import XCTest

/// Writes into a store what djsec itself refuses to write, the way a holder of
/// a private key could (an old djsec, a hand edit, a script following
/// docs/FORMAT.md): entries and config lines, re-encrypted and re-MACed with
/// PyNaCl, so the store still opens and only `render` stands in the way.
enum StoreForgery {
  /// `secrets`: name → value; `config`: key → value (the text after `config: KEY `).
  static func write(
    store: URL, key: URL, python: URL, secrets: [String: String] = [:], config: [String: String] = [:], file: StaticString = #filePath,
    line: UInt = #line
  ) throws {
    let ops = try JSONSerialization.data(withJSONObject: ["secrets": secrets, "config": config])
    let r = try CLI.run(python, ["-c", script, key.path, store.path, String(decoding: ops, as: UTF8.self)])
    XCTAssertEqual(r.status, 0, "the forging script failed: \(r.stderr)", file: file, line: line)
  }

  private static let script = """
    import base64, hashlib, json, sys
    from nacl.public import PrivateKey, SealedBox
    from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_encrypt as enc
    from nacl.utils import random
    key_path, store_path, ops = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    fields = dict(l.split(': ', 1) for l in open(key_path).read().splitlines() if ': ' in l and not l.startswith('#'))
    sk = PrivateKey(base64.b64decode(fields['private']))
    lines = open(store_path).read().splitlines()
    fid = base64.b64decode(next(l for l in lines if l.startswith('id: '))[4:])
    mine = next(l.split(' ') for l in lines if l.startswith('recipient: ') and base64.b64decode(l.split(' ')[2]) == bytes(sk.public_key))
    data_key = SealedBox(sk).decrypt(base64.b64decode(mine[3]))
    kinds = ('config: ', 'recipient: ', 'secret: ', 'mac: ')
    head = [l for l in lines if not l.startswith(kinds)]
    config = {l.split(' ')[1]: l.split(' ', 2)[2] for l in lines if l.startswith('config: ')}
    recipients = [l for l in lines if l.startswith('recipient: ')]
    secrets = {l.split(' ')[1]: l for l in lines if l.startswith('secret: ')}
    config.update(ops['config'])
    for name, value in ops['secrets'].items():
        nonce = random(24)
        ad = b'djsec-store-v1\\x00' + fid + b'\\x00' + name.encode()
        secrets[name] = 'secret: %s %s' % (name, base64.b64encode(nonce + enc(value.encode(), ad, nonce, data_key)).decode())
    body = head + ['config: %s %s' % (k, config[k]) for k in sorted(config, key=str.encode)] + recipients
    body += [secrets[n] for n in sorted(secrets, key=str.encode)]
    covered = ('\\n'.join(body) + '\\n').encode()
    mac_key = hashlib.blake2b(b'djsec-store-v1/mac', digest_size=32, key=data_key).digest()
    mac = hashlib.blake2b(covered, digest_size=32, key=mac_key).digest()
    open(store_path, 'w').write(covered.decode() + 'mac: ' + base64.b64encode(mac).decode() + '\\n')
    """
}
