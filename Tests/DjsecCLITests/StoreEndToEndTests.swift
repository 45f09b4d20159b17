import DjsecTestSupport
import Foundation
import XCTest

/// The encrypted store used as a user would: the built binary on a real
/// Django project, Django itself judging the result, PyNaCl reading the file.
final class StoreEndToEndTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var python: URL!

  override func setUpWithError() throws {
    python = try CLI.python()
    work = try CLI.startProject("store", python: python)
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  @discardableResult
  private func djsec(
    _ args: [String], stdin: String? = nil, env: [String: String] = [:], status: Int32 = 0, file: StaticString = #filePath,
    line: UInt = #line
  ) throws -> Run {
    try CLI.expect(args, in: project, stdin: stdin, env: env, status: status, file: file, line: line)
  }

  private func py(_ code: String, in dir: URL? = nil) throws -> String {
    let r = try CLI.run(python, ["-c", code], in: dir ?? project)
    XCTAssertEqual(r.status, 0, r.stderr)
    return r.stdout.trimmingCharacters(in: .newlines)
  }

  private func djangoShell(_ code: String) throws -> String {
    let r = try CLI.run(python, ["manage.py", "shell", "-v", "0", "-c", code], in: project)
    XCTAssertEqual(r.status, 0, r.stderr)
    return r.stdout.trimmingCharacters(in: .newlines)
  }

  func testInitSecretRenderRotateWithDjango() throws {
    try djsec(["init", ".", "--host", "example.com", "--hsts", "full"])
    XCTAssertTrue(FileManager.default.fileExists(atPath: project.appendingPathComponent("secrets.djsec").path))
    let keyMode = try FileManager.default.attributesOfItem(atPath: project.appendingPathComponent("keys/default.key").path)[
      .posixPermissions]
    XCTAssertEqual(keyMode as? Int, 0o600)
    let password = "pa'ss\"wo\\rd\nline2 ünï ✓"
    try djsec(["secret", "set", "DB_PASSWORD", "--stdin"], stdin: password)
    try djsec(["render"])
    XCTAssertEqual(
      try djangoShell("from django.conf import settings as s; print(repr(s.DB_PASSWORD))"), try py("print(repr(\(pythonRepr(password))))"))
    let old = try djangoShell("from django.conf import settings as s; print(s.SECRET_KEY)")
    // A value signed before the rotation, as a session or password-reset link would be.
    let token = try djangoShell("from django.core import signing; print(signing.dumps({'user': 42}))")
    try djsec(["rotate", "secret-key"])
    let deploy = try CLI.run(python, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], in: project)
    XCTAssertEqual(deploy.status, 0, deploy.stdout + deploy.stderr)
    XCTAssertTrue(deploy.stdout.contains("System check identified no issues (0 silenced)"))
    let now = try djangoShell(
      "from django.conf import settings as s; print(s.SECRET_KEY); print(s.SECRET_KEY_FALLBACKS == [\(pythonRepr(old))])")
    XCTAssertNotEqual(now.split(separator: "\n").first.map(String.init), old)
    XCTAssertEqual(now.split(separator: "\n").last, "True")
    XCTAssertEqual(try djangoShell("from django.core import signing; print(signing.loads(\(pythonRepr(token)))['user'])"), "42")
    // The store never holds the values in clear, and the scanner finds nothing in it.
    let text = try String(contentsOf: project.appendingPathComponent("secrets.djsec"), encoding: .utf8)
    XCTAssertFalse(text.contains(old) || text.contains("line2"))
    try CLI.git(["init", "-q"], in: project)
    try CLI.git(["add", "secrets.djsec", "keys"], in: project)
    try CLI.git(["commit", "-qm", "store"], in: project)
    XCTAssertEqual(try CLI.djsec(["scan", project.path]).status, 0)
    XCTAssertTrue(try CLI.git(["ls-files"], in: project).stdout.contains("keys/default.pub"))
    XCTAssertFalse(try CLI.git(["ls-files"], in: project).stdout.contains("default.key"))
  }

  func testRenderedLiteralsHoldAnyValue() throws {
    // init records the hosts the deploy profile needs; render refuses a store without them.
    try djsec(["init", ".", "--host", "example.com", "--hsts", "full"])
    let values = [
      "QUOTES": "'\"''\"\"\"", "BACKSLASH": "a\\b\\\\", "NEWLINES": "a\nb\r\nc", "UNICODE": "ünïcødé ✓ 😀 \u{2028}", "NUL": "a\u{0}b",
    ]
    for (name, value) in values { try djsec(["secret", "set", name, "--stdin"], stdin: value) }
    let key = SecretGenerator.make("django_key")!
    try djsec(["secret", "set", "SECRET_KEY", "--stdin"], stdin: key)
    let out = work.appendingPathComponent("rendered_settings.py")
    try djsec(["render", "--out", out.path])
    XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? Int, 0o600)
    let loaded = try py(
      "import json, rendered_settings as m; print(json.dumps({k: getattr(m, k) for k in \(values.keys.sorted())}))", in: work)
    let decoded = try JSONSerialization.jsonObject(with: Data(loaded.utf8)) as? [String: String]
    XCTAssertEqual(decoded, values)
  }

  func testTwentyConcurrentWritersLoseNothing() throws {
    try djsec(["keys", "new"])
    try djsec(["secret", "set", "FIRST", "--stdin"], stdin: "1")
    let group = DispatchGroup()
    let failures = NSLock()
    let project = self.project
    nonisolated(unsafe) var failed: [String] = []
    for i in 0..<20 {
      group.enter()
      DispatchQueue.global().async {
        defer { group.leave() }
        let r = try? CLI.run(CLI.binary, ["secret", "set", "NAME_\(i)", "--stdin"], in: project, stdin: "value \(i)")
        if r?.status != 0 { failures.withLock { failed.append("NAME_\(i): \(r?.stderr ?? "did not run")") } }
      }
    }
    group.wait()
    XCTAssertEqual(failed, [])
    let names = try djsec(["secret", "list"]).stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(Set(names), Set(["FIRST"] + (0..<20).map { "NAME_\($0)" }))
    XCTAssertEqual(try djsec(["secret", "get", "NAME_7"]).stdout, "value 7\n")
  }

  func testPyNaClReadsWhatDjsecWroteAndDjsecReadsWhatPythonWrote() throws {
    try djsec(["keys", "new", "--name", "alice"])
    try djsec(["secret", "set", "API_TOKEN", "--stdin"], stdin: "from djsec")
    let script = """
      import base64, hashlib, struct
      from nacl.public import PrivateKey, SealedBox
      from nacl.signing import SigningKey
      from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt as dec, crypto_aead_xchacha20poly1305_ietf_encrypt as enc
      from nacl.utils import random
      fields = {l.split(': ', 1)[0]: l.split(': ', 1)[1] for l in open('keys/alice.key').read().splitlines() if not l.startswith('#')}
      private = base64.b64decode(fields['private'])
      sk = PrivateKey(private)
      lines = open('secrets.djsec').read().splitlines()
      fid = base64.b64decode(next(l for l in lines if l.startswith('id: '))[4:])
      rec = next(l.split(' ') for l in lines if l.startswith('recipient: '))
      data_key = SealedBox(sk).decrypt(base64.b64decode(rec[4]))
      subkey = lambda n: hashlib.blake2b(b'', digest_size=32, key=data_key, salt=struct.pack('<Q', n), person=b'djsecst2').digest()
      ad = lambda name: b'djsec-store-v2\\x00' + fid + b'\\x00' + name.encode()
      blob = base64.b64decode(next(l.split(' ')[2] for l in lines if l.startswith('secret: API_TOKEN ')))
      print(dec(blob[24:], ad('API_TOKEN'), blob[:24], subkey(1)).decode())
      # Write a new entry, in order, the generation, the MAC and the signature, following docs/FORMAT.md only.
      nonce = random(24)
      entry = 'secret: FROM_PYTHON ' + base64.b64encode(nonce + enc(b'written by PyNaCl', ad('FROM_PYTHON'), nonce, subkey(1))).decode()
      body = [l for l in lines if not l.startswith(('mac: ', 'signature: '))] + [entry]
      body = ['generation: %d' % (int(l.split(' ')[1]) + 1) if l.startswith('generation: ') else l for l in body]
      head = [l for l in body if not l.startswith('secret: ')]
      secrets = sorted((l for l in body if l.startswith('secret: ')), key=lambda l: l.split(' ')[1].encode())
      covered = ('\\n'.join(head + secrets) + '\\n').encode()
      covered += b'mac: ' + base64.b64encode(hashlib.blake2b(covered, digest_size=32, key=subkey(2)).digest()) + b'\\n'
      signer = SigningKey(hashlib.blake2b(b'djsec-sign-v1', digest_size=32, key=private).digest())
      assert bytes(signer.verify_key) == base64.b64decode(rec[3]), 'the signing key is derived as FORMAT.md says'
      signature = signer.sign(covered).signature
      line = b'signature: ' + base64.b64encode(bytes(signer.verify_key)) + b' ' + base64.b64encode(signature) + b'\\n'
      open('secrets.djsec', 'wb').write(covered + line)
      """
    XCTAssertEqual(try py(script), "from djsec")
    XCTAssertEqual(try djsec(["secret", "get", "FROM_PYTHON"]).stdout, "written by PyNaCl\n")
    XCTAssertEqual(try djsec(["secret", "get", "API_TOKEN"]).stdout, "from djsec\n")
  }

  func testRecipientsEditExportAndErrors() throws {
    try djsec(["keys", "new", "--name", "alice"])
    try djsec(["secret", "set", "TOKEN", "--stdin"], stdin: "t0k3n")
    // Bob's key lives elsewhere; alice adds his public key.
    let bobHome = work.appendingPathComponent("bob")
    try FileManager.default.createDirectory(at: bobHome, withIntermediateDirectories: true)
    let bobPub = try CLI.run(CLI.binary, ["keys", "new", "--name", "bob"], in: bobHome).stdout
    XCTAssertTrue(
      try djsec(["recipients", "add", bobHome.appendingPathComponent("keys/bob.pub").path]).stdout.hasPrefix("added bob (fingerprint "))
    XCTAssertTrue(try djsec(["recipients", "list"]).stdout.contains(bobPub.split(separator: " ")[0]))
    // Bob is another person: his own key and his own trust records; he accepts alice's store once.
    let asBob = [
      "DJSEC_KEY_FILE": bobHome.appendingPathComponent("keys/bob.key").path, "XDG_STATE_HOME": bobHome.appendingPathComponent("state").path,
    ]
    let store = project.appendingPathComponent("secrets.djsec").path
    // Alice's key is beside the store, where djsec looks too: bob names his.
    XCTAssertEqual(try CLI.run(CLI.binary, ["trust", "--yes", "--store", store], in: bobHome, environment: asBob).status, 0)
    XCTAssertEqual(
      try CLI.run(CLI.binary, ["secret", "get", "TOKEN", "--store", store, "--key", "bob"], in: bobHome, environment: asBob).stdout,
      "t0k3n\n")
    let removed = try djsec(["recipients", "remove", "bob"])
    XCTAssertTrue(removed.stdout.contains("data key was rotated"))
    let denied = try CLI.run(CLI.binary, ["secret", "get", "TOKEN", "--store", store, "--key", "bob"], in: bobHome, environment: asBob)
    XCTAssertEqual(denied.status, 2)
    XCTAssertEqual(denied.stdout, "")
    XCTAssertTrue(denied.stderr.hasPrefix("djsec: error: none of your keys opens secrets.djsec; its recipients are: alice"), denied.stderr)

    // edit: an editor that changes one value and adds another.
    let editor = work.appendingPathComponent("editor.sh")
    try "#!/bin/sh\nsed -i 's/^TOKEN=.*/TOKEN=edited/' \"$1\"\necho 'ADDED=\"two words\"' >> \"$1\"\n".write(
      to: editor, atomically: true, encoding: .utf8)
    chmod(editor.path, 0o755)
    let r = try CLI.run(CLI.binary, ["secret", "edit"], in: project, environment: ["EDITOR": editor.path, "TMPDIR": work.path])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(try djsec(["secret", "export", "--format", "env"]).stdout, "ADDED='two words'\nTOKEN='edited'\n")
    XCTAssertFalse(
      try FileManager.default.contentsOfDirectory(atPath: work.path).contains { $0.hasPrefix("djsec-edit") }, "plaintext copy left behind")
    // A failing editor changes nothing.
    let before = try String(contentsOfFile: store, encoding: .utf8)
    let failing = try CLI.run(CLI.binary, ["secret", "edit"], in: project, environment: ["EDITOR": "false", "TMPDIR": work.path])
    XCTAssertEqual(failing.status, 2)
    XCTAssertEqual(try String(contentsOfFile: store, encoding: .utf8), before)
    let json = try djsec(["secret", "export", "--format", "json"]).stdout
    XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String], ["ADDED": "two words", "TOKEN": "edited"])

    // Errors: one line, exit 2 (1 for a missing secret), nothing on stdout.
    let missing = try djsec(["secret", "get", "NOPE"], status: 1)
    XCTAssertEqual(missing.stdout, "")
    XCTAssertTrue(missing.stderr.hasPrefix("djsec: error: no secret named NOPE in secrets.djsec"))
    try djsec(["secret", "set", "1BAD", "--stdin"], stdin: "x", status: 2)
    var lines = before.split(separator: "\n").map(String.init)
    lines.insert("garbage line", at: 4)
    try (lines.joined(separator: "\n") + "\n").write(toFile: store, atomically: true, encoding: .utf8)
    let malformed = try djsec(["secret", "list"], status: 2)
    XCTAssertTrue(malformed.stderr.hasPrefix("djsec: error: secrets.djsec:5: unknown line"), malformed.stderr)
  }

  func testPassphraseKeys() throws {
    let env = ["DJSEC_PASSPHRASE": "correct horse battery"]
    try djsec(["keys", "new", "--passphrase"], env: env)
    let keyText = try String(contentsOf: project.appendingPathComponent("keys/default.key"), encoding: .utf8)
    XCTAssertTrue(keyText.contains("argon2id:") && !keyText.contains("\nprivate: "))
    try djsec(["secret", "set", "X", "--stdin"], stdin: "y", env: env)
    XCTAssertEqual(try djsec(["secret", "get", "X"], env: env).stdout, "y\n")
    let wrong = try djsec(["secret", "get", "X"], env: ["DJSEC_PASSPHRASE": "nope"], status: 2)
    XCTAssertTrue(wrong.stderr.contains("wrong passphrase for"), "stderr: \(wrong.stderr) stdout: \(wrong.stdout)")
  }

  private func pythonRepr(_ s: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [s])
    return "json.loads(\(String(decoding: data, as: UTF8.self).debugDescription))[0]".replacingOccurrences(
      of: "json.loads", with: "__import__('json').loads")
  }
}
