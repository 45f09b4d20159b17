import Foundation
import XCTest

/// Key files as a user meets them: which keys djsec trusts, which key a new
/// store is sealed to, where keys are found, and the passphrases and public
/// keys it refuses. Every case runs the built binary on a real git repository.
final class KeysEndToEndTests: XCTestCase {
  private var repo: GitFixture!
  private var root: URL { repo.root }

  override func setUpWithError() throws {
    repo = try GitFixture("keys")
    try repo.write("manage.py", "# a Django project\n")
  }

  override func tearDownWithError() throws { repo = nil }

  @discardableResult
  private func djsec(
    _ args: [String], in dir: URL? = nil, stdin: String? = nil, env: [String: String] = [:], status: Int32 = 0,
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> Run {
    let r = try CLI.run(CLI.binary, args, in: dir ?? root, stdin: stdin, environment: env)
    XCTAssertEqual(r.status, status, "djsec \(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
    return r
  }

  /// The error line and the hint line of a refusal, checked together.
  private func assertRefusal(
    _ r: Run, error: String, hint: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    let lines = r.stderr.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 2, r.stderr, file: file, line: line)
    XCTAssertTrue(lines.first?.hasPrefix("djsec: error: ") == true && lines[0].contains(error), r.stderr, file: file, line: line)
    XCTAssertTrue(lines.last?.hasPrefix("djsec: hint: ") == true && lines[1].contains(hint), r.stderr, file: file, line: line)
    XCTAssertEqual(r.stdout, "", file: file, line: line)
  }

  private var storeExists: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("secrets.djsec").path) }

  private func mode(_ path: String) throws -> Int {
    try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)[.posixPermissions] as! Int
  }

  /// A key someone force-added upstream must never become the recipient of
  /// the store a victim creates after cloning: djsec refuses it while git
  /// tracks it, then while others may read it, then asks which key to use.
  func testAKeyCommittedUpstreamNeverBecomesTheRecipient() throws {
    try djsec(["keys", "new", "--name", "aaa"])
    try repo.git("add", "-f", "keys/aaa.key")
    try repo.commit("upstream adds a key")
    let clone = try CLI.temporaryFolder("keys-clone")
    defer { try? FileManager.default.removeItem(at: clone) }
    try CLI.git(["clone", "-q", root.path, clone.appendingPathComponent("victim").path], in: clone)
    let victim = clone.appendingPathComponent("victim")
    try djsec(["keys", "new"], in: victim)

    let tracked = try djsec(["secret", "set", "TOKEN", "--stdin"], in: victim, stdin: "t", status: 2)
    assertRefusal(tracked, error: "keys/aaa.key is tracked by git", hint: "git rm --cached keys/aaa.key")
    XCTAssertFalse(FileManager.default.fileExists(atPath: victim.appendingPathComponent("secrets.djsec").path))

    try CLI.git(["rm", "-q", "--cached", "keys/aaa.key"], in: victim)
    let open = try djsec(["secret", "set", "TOKEN", "--stdin"], in: victim, stdin: "t", status: 2)
    assertRefusal(open, error: "keys/aaa.key", hint: "chmod 600 keys/aaa.key")

    chmod(victim.appendingPathComponent("keys/aaa.key").path, 0o600)
    let several = try djsec(["secret", "set", "TOKEN", "--stdin"], in: victim, stdin: "t", status: 2)
    assertRefusal(several, error: "aaa (keys/aaa.key), default (keys/default.key)", hint: "--key")
    XCTAssertFalse(FileManager.default.fileExists(atPath: victim.appendingPathComponent("secrets.djsec").path))

    let made = try djsec(["secret", "set", "TOKEN", "--stdin", "--key", "default"], in: victim, stdin: "t")
    XCTAssertEqual(made.stdout, "created secrets.djsec, sealed to default (keys/default.key)\n")
    let recipients = try djsec(["recipients", "list"], in: victim).stdout
    XCTAssertEqual(recipients.split(separator: "\n").map { $0.split(separator: " ")[0] }, ["default"])
  }

  func testKeyFilesOthersCanReadOrThatAnotherUserOwnsAreRefused() throws {
    try djsec(["keys", "new", "--name", "alice"])
    chmod(root.appendingPathComponent("keys/alice.key").path, 0o640)
    let shared = try djsec(["secret", "set", "X", "--stdin"], stdin: "x", status: 2)
    assertRefusal(shared, error: "keys/alice.key can be read by others (mode 0640)", hint: "chmod 600 keys/alice.key")
    XCTAssertFalse(storeExists)
    chmod(root.appendingPathComponent("keys/alice.key").path, 0o400)
    try djsec(["secret", "set", "X", "--stdin"], stdin: "x")
    guard getuid() == 0 else { return }
    XCTAssertEqual(chown(root.appendingPathComponent("keys/alice.key").path, 65534, 65534), 0)
    let foreign = try djsec(["secret", "get", "X"], status: 2)
    assertRefusal(foreign, error: "keys/alice.key belongs to another user (uid 65534)", hint: "djsec keys new")
  }

  func testANewStoreIsSealedToTheKeyNamedByLabelOrPath() throws {
    try djsec(["keys", "new", "--name", "alice"])
    try djsec(["keys", "new", "--name", "bob"])
    let unknown = try djsec(["secret", "set", "X", "--stdin", "--key", "carol"], stdin: "x", status: 2)
    assertRefusal(unknown, error: "no key labelled carol", hint: "alice, bob")
    let byPath = try djsec(["secret", "set", "X", "--stdin", "--key", "keys/bob.key"], stdin: "x")
    XCTAssertEqual(byPath.stdout, "created secrets.djsec, sealed to bob (keys/bob.key)\n")
    XCTAssertEqual(try djsec(["recipients", "list"]).stdout.split(separator: " ").first, "bob")
    // An existing store is opened by whichever key it lists: no --key needed.
    XCTAssertEqual(try djsec(["secret", "get", "X"]).stdout, "x\n")
  }

  /// `init` seals its new store to the key it just made, and says so.
  func testInitSealsTheNewStoreToTheKeyItMade() throws {
    let python = try CLI.python()
    let work = try CLI.startProject("keys-init", python: python)
    defer { try? FileManager.default.removeItem(at: work) }
    let r = try djsec(["init", "demo", "--host", "example.com"], in: work)
    XCTAssertTrue(r.stdout.contains("created keys/default.key"), r.stdout)
    XCTAssertTrue(r.stdout.contains("sealed to default (keys/default.key)"), r.stdout)
    // With two keys and none named, init refuses before it writes anything.
    let again = try CLI.startProject("keys-init2", python: python)
    defer { try? FileManager.default.removeItem(at: again) }
    let project = again.appendingPathComponent("demo")
    try djsec(["keys", "new", "--name", "alice"], in: project)
    try djsec(["keys", "new", "--name", "bob"], in: project)
    let before = CLI.snapshot(project)
    let refused = try djsec(["init", ".", "--host", "example.com"], in: project, status: 2)
    assertRefusal(refused, error: "alice (keys/alice.key), bob (keys/bob.key)", hint: "--key")
    XCTAssertEqual(CLI.snapshot(project), before)
    let named = try djsec(["init", ".", "--host", "example.com", "--key", "bob"], in: project)
    XCTAssertTrue(named.stdout.contains("sealed to bob (keys/bob.key)"), named.stdout)
  }

  /// Keys in the per-user folder (`keys new --user`) and in keys/ beside a
  /// store that is not at the project root (a monorepo's backend/).
  func testPerUserKeysAndKeysBesideTheStore() throws {
    let config = try CLI.temporaryFolder("keys-config")
    defer { try? FileManager.default.removeItem(at: config) }
    let user = ["XDG_CONFIG_HOME": config.path]
    let pub = try djsec(["keys", "new", "--user", "--name", "me"], env: user).stdout
    XCTAssertTrue(pub.hasSuffix(" me\n"), pub)
    let folder = config.appendingPathComponent("djsec/keys")
    XCTAssertEqual(
      try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("me.key").path)[.posixPermissions] as? Int, 0o600)
    XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int, 0o700)
    XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("keys").path))
    let made = try djsec(["secret", "set", "X", "--stdin"], stdin: "from me", env: user)
    XCTAssertTrue(made.stdout.hasPrefix("created secrets.djsec, sealed to me ("), made.stdout)
    XCTAssertEqual(try djsec(["secret", "get", "X"], env: user).stdout, "from me\n")
    // Without that folder, nothing opens the store.
    try djsec(["secret", "get", "X"], status: 2)

    let mono = try GitFixture("keys-mono")
    let backend = mono.root.appendingPathComponent("backend")
    try mono.write("backend/manage.py", "# the Django half of a monorepo\n")
    try djsec(["keys", "new"], in: backend)
    try djsec(["secret", "set", "DB", "--stdin"], in: backend, stdin: "db")
    XCTAssertEqual(try djsec(["secret", "get", "DB", "--store", "backend/secrets.djsec"], in: mono.root).stdout, "db\n")
  }

  func testEmptyPassphraseIsRefused() throws {
    let r = try djsec(["keys", "new", "--passphrase"], env: ["DJSEC_PASSPHRASE": ""], status: 2)
    assertRefusal(r, error: "empty passphrase", hint: "passphrase")
    XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("keys/default.key").path))
  }

  /// The all-zero key and the points of small order would let anyone open
  /// what is sealed to them; `recipients add` refuses them by name.
  func testWeakPublicKeysAreRefusedAtRecipientsAdd() throws {
    try djsec(["keys", "new"])
    try djsec(["secret", "set", "X", "--stdin"], stdin: "x")
    let before = try String(contentsOf: root.appendingPathComponent("secrets.djsec"), encoding: .utf8)
    // A public identity is both keys in one word: a weak box key beside a good signing key (ours), and the reverse.
    let ours = try String(contentsOf: root.appendingPathComponent("keys/default.pub"), encoding: .utf8).split(separator: " ")[0]
    let both = Data(base64Encoded: String(ours.dropFirst("djsec:".count)))!
    func identity(box: Data, sign: Data) -> String { "djsec:" + (box + sign).base64EncodedString() }
    let zeroBox = Data(count: 32)
    let zero = identity(box: zeroBox, sign: both.suffix(32))
    let one = identity(box: Data([1] + [UInt8](repeating: 0, count: 31)), sign: both.suffix(32))
    // A point of order 8 on Curve25519.
    let order8 = identity(box: Data(hex: "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"), sign: both.suffix(32))
    let zeroSign = identity(box: both.prefix(32), sign: Data(count: 32))
    for (key, reason) in [
      (zero, "all zeros"), (one, "a point of small order"), (order8, "a point of small order"), (zeroSign, "a point of small order"),
    ] {
      let r = try djsec(["recipients", "add", key, "--name", "weak"], status: 2)
      XCTAssertEqual(r.stderr.split(separator: "\n").count, 2, r.stderr)
      XCTAssertTrue(r.stderr.hasPrefix("djsec: error: the public key \(key) is \(reason)"), r.stderr)
      XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("secrets.djsec"), encoding: .utf8), before)
    }
    // The same key in a .pub file is named by its file.
    try repo.write("weak.pub", "\(zero) weak\n")
    let old = try djsec(["recipients", "add", zeroBox.base64EncodedString(), "--name", "old"], status: 2)
    XCTAssertTrue(old.stderr.contains("version 1 public key"), old.stderr)
    let file = try djsec(["recipients", "add", "weak.pub"], status: 2)
    XCTAssertTrue(file.stderr.hasPrefix("djsec: error: the public key in weak.pub is all zeros"), file.stderr)
  }

  /// Argon2id limits in a key file are bounded, so a crafted file cannot make
  /// djsec work for hours or exhaust memory; out of bounds, the file is named.
  func testArgon2idLimitsReadFromAKeyFileAreBounded() throws {
    let env = ["DJSEC_PASSPHRASE": "correct horse battery"]
    try djsec(["keys", "new", "--passphrase"], env: env)
    try djsec(["secret", "set", "X", "--stdin"], stdin: "x", env: env)
    let keyURL = root.appendingPathComponent("keys/default.key")
    let original = try String(contentsOf: keyURL, encoding: .utf8)
    let line = original.split(separator: "\n").first { $0.hasPrefix("argon2id: ") }!
    let salt = line.split(separator: " ")[3]
    for (ops, mem, limit) in [
      ("17", "8192", "opslimit 17"), ("1", "1024", "memlimit 1024"), ("1", "4398046511104", "memlimit 4398046511104"),
    ] {
      let text = original.replacingOccurrences(of: String(line), with: "argon2id: \(ops) \(mem) \(salt)")
      try Data(text.utf8).write(to: keyURL)
      let r = try djsec(["secret", "get", "X"], env: env, status: 2)
      assertRefusal(r, error: "keys/default.key: argon2id \(limit) is outside", hint: "djsec keys new")
    }
  }

  /// A bad DJSEC_PRIVATE_KEY or --name gets a hint about that, not about
  /// restoring a file from git.
  func testHintsFitTheMistake() throws {
    try djsec(["keys", "new"])
    try djsec(["secret", "set", "X", "--stdin"], stdin: "x")
    let env = try djsec(["secret", "get", "X"], env: ["DJSEC_PRIVATE_KEY": "not base64!"], status: 2)
    assertRefusal(env, error: "DJSEC_PRIVATE_KEY", hint: "private:")
    XCTAssertFalse(env.stderr.contains("from git"), env.stderr)
    let label = try djsec(["keys", "new", "--name", "a/b"], status: 2)
    assertRefusal(label, error: "a/b", hint: "letters")
    XCTAssertFalse(label.stderr.contains("from git"), label.stderr)
    let recipient = try djsec(["recipients", "add", "keys/default.pub", "--name", "no spaces"], status: 2)
    assertRefusal(recipient, error: "no spaces", hint: "letters")
  }
}

extension Data {
  fileprivate init(hex: String) {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      bytes.append(UInt8(hex[index..<next], radix: 16)!)
      index = next
    }
    self.init(bytes)
  }
}
