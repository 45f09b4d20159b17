import DjsecTestSupport
import Foundation
import XCTest

/// Issue 8, problems 4 and 5: djsec never loses what a user wrote. render
/// refuses a local_settings.py git tracks (even with --force) or one djsec
/// did not write (unless --force, which keeps a backup first); rotate leaves
/// a hand-written file alone; init --force backs the old file up and
/// --import moves its string settings into the store. End to end with the
/// built binary, real git and Django 5.2. No value a test writes may appear
/// in djsec's output.
final class UserFilesTests: XCTestCase {
  private var cleanup: [URL] = []

  override func tearDown() {
    for url in cleanup { try? FileManager.default.removeItem(at: url) }
  }

  /// A committed `startproject`, in a git repository.
  private func project(_ name: String) throws -> URL {
    let work = try CLI.startProject(name, python: try CLI.python())
    cleanup.append(work)
    let root = work.appendingPathComponent("demo")
    try CLI.git(["init", "-q", "-b", "main"], in: root)
    try commit(root, "startproject")
    return root
  }

  private func commit(_ root: URL, _ message: String) throws {
    try CLI.git(["add", "-A"], in: root)
    try CLI.git(["commit", "-qm", message], in: root)
  }

  @discardableResult
  private func djsec(_ args: [String], in dir: URL, status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> Run {
    try CLI.expect(args, in: dir, status: status, file: file, line: line)
  }

  private func sha256(_ file: URL) throws -> String {
    let r = try CLI.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [file.path])
    XCTAssertEqual(r.status, 0, r.stderr)
    return String(r.stdout.prefix(64))
  }

  private func mode(_ url: URL) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: url.path))?[.posixPermissions] as? Int
  }

  /// The paths of the backups an output line names, relative to `dir`.
  private func backups(in output: String) -> [String] {
    let pattern = try! NSRegularExpression(pattern: #"\S*/checkouts/[0-9a-f]+/backups/local_settings\.py\.[0-9]{8}T[0-9]{6}Z(-[0-9]+)?"#)
    let range = NSRange(output.startIndex..., in: output)
    return pattern.matches(in: output, range: range).map { String(output[Range($0.range, in: output)!]) }
  }

  /// One `djsec: error:` line naming `fragments`, one hint holding `hint`, nothing on stdout, exit 2.
  private func assertRefusal(_ r: Run, error fragments: [String], hint: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
    let lines = r.stderr.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 2, r.stderr, file: file, line: line)
    XCTAssertTrue(lines.first?.hasPrefix("djsec: error: ") == true, r.stderr, file: file, line: line)
    for fragment in fragments {
      XCTAssertTrue(lines.first?.contains(fragment) == true, "\(fragment): \(r.stderr)", file: file, line: line)
    }
    XCTAssertTrue(lines.last?.hasPrefix("djsec: hint: ") == true && lines.last!.contains(hint), r.stderr, file: file, line: line)
    XCTAssertEqual(r.stdout, "", file: file, line: line)
  }

  /// No value in `values` appears in any of `runs`' output (named by index, never quoted).
  private func assertNoValue(_ values: [String], in runs: [Run], file: StaticString = #filePath, line: UInt = #line) {
    for (i, run) in runs.enumerated() {
      for (j, value) in values.enumerated() where run.stdout.contains(value) || run.stderr.contains(value) {
        XCTFail("run \(i) printed test value \(j)", file: file, line: line)
      }
    }
  }

  /// A local_settings.py a developer wrote by hand: a strong key, a password
  /// DATABASES uses, a token with quotes and escapes, a template setting, a
  /// value built at run time, and a byte that is not UTF-8 in a comment.
  private struct HandWritten {
    let key = SecretGenerator.make("django_key")!
    let password = SecretGenerator.make("password")!
    let token = SecretGenerator.make("base62_32")!
    var values: [String] { [key, password, token] }

    /// `raw`: a comment holds a byte that is not UTF-8 (Python would not import it, a backup keeps it).
    func bytes(key: String? = nil, raw: Bool = false) -> Data {
      let source = """
        # My own settings, not djsec's.
        import os

        SECRET_KEY = "\(key ?? self.key)"
        DEBUG = True
        X_FRAME_OPTIONS = "SAMEORIGIN"
        DB_PASSWORD = "\(password)"  # from the ops wiki
        API_TOKEN = '\(token)\\'s "t" \\\\ \\t\\x41'
        db_user = "app"
        EMAIL_HOST_PASSWORD = f"{DB_PASSWORD}"
        # OLD_TOKEN = "commented out"
        DATABASES = {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": "db.sqlite3",
                "PASSWORD": DB_PASSWORD,
            }
        }

        """
      return Data(source.utf8) + Data("# caf".utf8) + (raw ? Data([0xE9, 0x0A]) : Data("\u{E9}\n".utf8))
    }
  }

  // MARK: render

  /// Problem 4: a tracked local_settings.py is refused with the exact
  /// command to run from where djsec ran, and --force does not get past it.
  func testRenderRefusesATrackedFileWithTheExactCommandEvenWithForce() throws {
    let root = try project("userfiles-tracked")
    try djsec(["init", ".", "--host", "example.com"], in: root)
    try commit(root, "djsec init")
    let local = root.appendingPathComponent("demo/local_settings.py")
    try "# local overrides\n".write(to: local, atomically: true, encoding: .utf8)
    try CLI.git(["add", "-f", "demo/local_settings.py"], in: root)
    try CLI.git(["commit", "-qm", "stub"], in: root)
    let stub = try Data(contentsOf: local)
    let sealed = try Data(contentsOf: root.appendingPathComponent("secrets.djsec"))

    assertRefusal(
      try djsec(["render"], in: root, status: 2), error: ["demo/local_settings.py", "git tracks it"],
      hint: "git rm --cached demo/local_settings.py")
    assertRefusal(
      try djsec(["render", "--force"], in: root, status: 2), error: ["demo/local_settings.py", "git tracks it"],
      hint: "git rm --cached demo/local_settings.py")
    // From the settings folder, the command names the file as seen from there.
    let inner = root.appendingPathComponent("demo")
    let fromInner = try djsec(["render", "--force"], in: inner, status: 2)
    assertRefusal(fromInner, error: ["local_settings.py", "git tracks it"], hint: "git rm --cached local_settings.py")
    XCTAssertFalse(fromInner.stderr.contains("demo/local_settings.py"), fromInner.stderr)
    XCTAssertEqual(try Data(contentsOf: local), stub)
    XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("secrets.djsec")), sealed)
    XCTAssertEqual(backups(in: fromInner.stdout + fromInner.stderr), [], "a backup was made")

    // The printed command, run from the settings folder; then render works
    // (the stub is not djsec's: --force keeps a backup).
    XCTAssertEqual(try CLI.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "git rm -q --cached local_settings.py"], in: inner).status, 0)
    try CLI.git(["commit", "-qm", "untrack"], in: root)
    let rendered = try djsec(["render", "--force"], in: root)
    XCTAssertTrue(rendered.stdout.contains("backed up demo/local_settings.py"), rendered.stdout)
    XCTAssertEqual(try CLI.git(["status", "--porcelain"], in: root).stdout, "")

    // A path with a blank, quoted for the shell: the hint's command works as printed.
    try (String(contentsOf: root.appendingPathComponent(".gitignore"), encoding: .utf8) + "/deploy dir/\n").write(
      to: root.appendingPathComponent(".gitignore"), atomically: true, encoding: .utf8)
    let spaced = root.appendingPathComponent("deploy dir/local_settings.py")
    try FileManager.default.createDirectory(at: spaced.deletingLastPathComponent(), withIntermediateDirectories: true)
    try "# stub\n".write(to: spaced, atomically: true, encoding: .utf8)
    try CLI.git(["add", "-f", ".gitignore", "deploy dir/local_settings.py"], in: root)
    try CLI.git(["commit", "-qm", "spaced stub"], in: root)
    let command = "git rm --cached 'deploy dir/local_settings.py'"
    assertRefusal(
      try djsec(["render", "--force", "--out", "deploy dir/local_settings.py"], in: root, status: 2),
      error: ["deploy dir/local_settings.py", "git tracks it"], hint: command)
    let ran = try CLI.run(URL(fileURLWithPath: "/bin/sh"), ["-c", command], in: root)
    XCTAssertEqual(ran.status, 0, ran.stderr)
    try djsec(["render", "--force", "--out", "deploy dir/local_settings.py"], in: root)
  }

  /// Problem 4: a file djsec did not write is refused; rotate leaves it and
  /// says what to run; render --force keeps an exact, private, ignored
  /// backup first, never overwriting an earlier one.
  func testRenderRefusesAHandWrittenFileAndForceKeepsABackup() throws {
    let root = try project("userfiles-handwritten")
    try djsec(["init", ".", "--host", "example.com"], in: root)
    try commit(root, "djsec init")
    let local = root.appendingPathComponent("demo/local_settings.py")
    let mine = HandWritten()
    try mine.bytes(raw: true).write(to: local)
    let digest = try sha256(local)
    var runs: [Run] = []

    let refused = try djsec(["render"], in: root, status: 2)
    runs.append(refused)
    assertRefusal(refused, error: ["demo/local_settings.py", "djsec did not write it"], hint: "--force")
    XCTAssertEqual(try sha256(local), digest)

    // rotate changes the store but never a hand-written file, and says so.
    let rotated = try djsec(["rotate", "secret-key"], in: root)
    runs.append(rotated)
    XCTAssertTrue(rotated.stdout.contains("demo/local_settings.py was not written by djsec and was left alone"), rotated.stdout)
    XCTAssertTrue(rotated.stdout.contains("djsec render --force"), rotated.stdout)
    XCTAssertEqual(try sha256(local), digest)

    let forced = try djsec(["render", "--force"], in: root)
    runs.append(forced)
    let named = backups(in: forced.stdout)
    XCTAssertEqual(named.count, 1, forced.stdout)
    let backup = URL(fileURLWithPath: try XCTUnwrap(named.first), relativeTo: root)
    XCTAssertTrue(forced.stdout.contains("backed up demo/local_settings.py to \(named[0])"), forced.stdout)
    XCTAssertEqual(try sha256(backup), digest, "the backup is not the file's exact bytes")
    XCTAssertEqual(mode(backup), 0o600)
    XCTAssertEqual(mode(backup.deletingLastPathComponent()), 0o700)
    XCTAssertFalse(backup.standardizedFileURL.path.hasPrefix(root.path + "/"), "the backup is inside the checkout")
    XCTAssertEqual(try CLI.git(["status", "--porcelain", "--ignored=no"], in: root).stdout, " M secrets.djsec\n")
    let rendered = try String(contentsOf: local, encoding: .utf8)
    XCTAssertTrue(rendered.hasPrefix("# Rendered by djsec from secrets.djsec"))

    // Again within the same second: a second backup, the first one untouched.
    try mine.bytes(key: SecretGenerator.make("django_key"), raw: true).write(to: local)
    let second = try sha256(local)
    let again = try djsec(["render", "--force"], in: root)
    runs.append(again)
    let named2 = backups(in: again.stdout)
    XCTAssertEqual(named2.count, 1, again.stdout)
    XCTAssertNotEqual(named2.first, named[0])
    XCTAssertEqual(try sha256(URL(fileURLWithPath: try XCTUnwrap(named2.first), relativeTo: root)), second)
    XCTAssertEqual(try sha256(backup), digest)

    // djsec's own file needs no --force, and no backup is made.
    let plain = try djsec(["render"], in: root)
    runs.append(plain)
    XCTAssertEqual(backups(in: plain.stdout), [])
    assertNoValue(mine.values, in: runs)
  }

  /// A file an older djsec wrote (no origin line, the shipped template's
  /// header) is djsec's: render and rotate replace it without --force.
  func testAFileAnOlderDjsecWroteIsDjsecs() throws {
    let root = try project("userfiles-legacy")
    try djsec(["init", ".", "--host", "example.com"], in: root)
    let local = root.appendingPathComponent("demo/local_settings.py")
    let text = try String(contentsOf: local, encoding: .utf8)
    let legacy = String(text.drop { $0 != "\n" }.dropFirst())
    XCTAssertTrue(legacy.hasPrefix("# local_settings.py"))
    try legacy.write(to: local, atomically: true, encoding: .utf8)

    let rotated = try djsec(["rotate", "secret-key"], in: root)
    XCTAssertTrue(rotated.stdout.contains("rendered demo/local_settings.py"), rotated.stdout)
    XCTAssertNotEqual(try String(contentsOf: local, encoding: .utf8), text)
    try legacy.write(to: local, atomically: true, encoding: .utf8)
    let rendered = try djsec(["render"], in: root)
    XCTAssertEqual(backups(in: rendered.stdout), [])
  }

  // MARK: init

  /// Problem 5: init refuses a hand-written file; --force backs it up
  /// (exactly, 0600, ignored) instead of deleting it, and imports nothing.
  func testInitForceBacksUpAHandWrittenFile() throws {
    let root = try project("userfiles-init-force")
    let local = root.appendingPathComponent("demo/local_settings.py")
    let mine = HandWritten()
    try mine.bytes().write(to: local)
    let digest = try sha256(local)
    let files = CLI.snapshot(root)

    let refused = try djsec(["init", ".", "--host", "example.com"], in: root, status: 2)
    assertRefusal(refused, error: ["demo/local_settings.py", "djsec did not write it"], hint: "--import")
    XCTAssertEqual(CLI.snapshot(root), files)

    let forced = try djsec(["init", ".", "--host", "example.com", "--force"], in: root)
    let named = backups(in: forced.stdout)
    XCTAssertEqual(named.count, 1, forced.stdout)
    let backup = URL(fileURLWithPath: try XCTUnwrap(named.first), relativeTo: root)
    XCTAssertEqual(try sha256(backup), digest)
    XCTAssertEqual(mode(backup), 0o600)
    XCTAssertFalse(backup.standardizedFileURL.path.hasPrefix(root.path + "/"), "the backup is inside the checkout")
    XCTAssertFalse(try djsec(["secret", "list"], in: root).stdout.contains("DB_PASSWORD"))
    let key = try PythonKey.secretKey(in: root)
    XCTAssertNotEqual(key, try PythonKey.digest(mine.key))
    assertNoValue(mine.values, in: [refused, forced])
  }

  /// Problem 5: init --import moves the old file's string settings into the
  /// store (the strong SECRET_KEY too), names what it could not import and
  /// what the template sets, never prints a value, and the documented
  /// recipe puts the stored password back into DATABASES.
  func testInitImportMovesStringSettingsIntoTheStore() throws {
    let root = try project("userfiles-import")
    let local = root.appendingPathComponent("demo/local_settings.py")
    let mine = HandWritten()
    try mine.bytes().write(to: local)
    let digest = try sha256(local)
    let files = CLI.snapshot(root)
    var runs: [Run] = []

    let dry = try djsec(["init", ".", "--host", "example.com", "--import", "--dry-run"], in: root)
    runs.append(dry)
    XCTAssertEqual(CLI.snapshot(root), files)
    XCTAssertTrue(dry.stdout.contains("would import into secrets.djsec: SECRET_KEY, DB_PASSWORD, API_TOKEN"), dry.stdout)

    let imported = try djsec(["init", ".", "--host", "example.com", "--import"], in: root)
    runs.append(imported)
    let out = imported.stdout
    XCTAssertTrue(out.contains("imported into secrets.djsec: SECRET_KEY, DB_PASSWORD, API_TOKEN"), out)
    XCTAssertTrue(out.contains("not imported, kept in the backup: db_user, EMAIL_HOST_PASSWORD, DATABASES"), out)
    XCTAssertTrue(out.contains("set by the template instead: DEBUG, X_FRAME_OPTIONS"), out)
    XCTAssertTrue(out.contains("djsec secret set DB_PASSWORD"), out)
    XCTAssertFalse(out.contains("OLD_TOKEN"), out)
    let named = backups(in: out)
    XCTAssertEqual(named.count, 1, out)
    XCTAssertEqual(try sha256(URL(fileURLWithPath: try XCTUnwrap(named.first), relativeTo: root)), digest)

    // What Django now sees is what Python read from the hand-written file.
    let backup = URL(fileURLWithPath: named[0], relativeTo: root)
    let original = try PythonKey.values(["SECRET_KEY", "DB_PASSWORD", "API_TOKEN"], executing: backup)
    let django = try PythonKey.settings(["SECRET_KEY", "DB_PASSWORD", "API_TOKEN", "DEBUG"], in: root)
    guard original.count == 3, django.count == 4 else { return XCTFail("Python did not read every value") }
    XCTAssertEqual(Array(django.prefix(3)), original)
    XCTAssertEqual(django.last, "False", "DEBUG came from the old file, not the deploy profile")
    let listed = try djsec(["secret", "list"], in: root).stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(Set(listed), ["API_TOKEN", "DB_PASSWORD", "SECRET_KEY"])

    // The recipe the output points to: DATABASES in a template, from the stored password.
    let shipped = try String(contentsOf: CLI.packageRoot.appendingPathComponent("templates/local_settings.py.tmpl"), encoding: .utf8)
    let recipe = """

      DATABASES = {
          "default": {
              "ENGINE": "django.db.backends.sqlite3",
              "NAME": "db.sqlite3",
              "PASSWORD": DB_PASSWORD,
          }
      }

      """
    try (shipped + recipe).write(to: root.appendingPathComponent("local_settings.py.tmpl"), atomically: true, encoding: .utf8)
    runs.append(try djsec(["render", "--template", "local_settings.py.tmpl"], in: root))
    let database = try PythonKey.expression("settings.DATABASES['default']['PASSWORD']", in: root)
    XCTAssertEqual(database, original[1])
    assertNoValue(mine.values, in: runs)
  }

  /// --import into a store that already holds values: equal ones are
  /// reported, a different one is kept (named), the store's key stays a
  /// fallback, and a weak key in the old file is never imported.
  func testInitImportIntoAnExistingStore() throws {
    let root = try project("userfiles-import-existing")
    try djsec(["init", ".", "--host", "example.com"], in: root)
    let stored = SecretGenerator.make("password")!
    try CLI.expect(["secret", "set", "DB_PASSWORD", "--stdin"], in: root, stdin: stored)
    let storeKey = try PythonKey.secretKey(in: root)
    let local = root.appendingPathComponent("demo/local_settings.py")
    let mine = HandWritten()
    try mine.bytes().write(to: local)

    let r = try djsec(["init", ".", "--host", "example.com", "--import"], in: root)
    XCTAssertTrue(r.stdout.contains("imported into secrets.djsec: SECRET_KEY, API_TOKEN"), r.stdout)
    XCTAssertTrue(r.stdout.contains("not imported, the store holds another value: DB_PASSWORD"), r.stdout)
    let seen = try PythonKey.settings(["SECRET_KEY", "DB_PASSWORD"], in: root)
    XCTAssertEqual(seen, [try PythonKey.digest(mine.key), try PythonKey.digest(stored)])
    XCTAssertEqual(
      try PythonKey.expression("settings.SECRET_KEY_FALLBACKS[0]", in: root), storeKey, "the store's key was dropped")

    // A weak key is not imported: the store's key stays.
    try mine.bytes(key: SecretGenerator.make("django_insecure_key")).write(to: local)
    let weak = try djsec(["init", ".", "--host", "example.com", "--import"], in: root)
    XCTAssertTrue(weak.stdout.contains("SECRET_KEY is weak"), weak.stdout)
    XCTAssertEqual(try PythonKey.secretKey(in: root), try PythonKey.digest(mine.key))

    // With --force too, a strong key in the old file wins over a new one.
    let another = SecretGenerator.make("django_key")!
    try mine.bytes(key: another).write(to: local)
    let forced = try djsec(["init", ".", "--host", "example.com", "--import", "--force"], in: root)
    XCTAssertTrue(forced.stdout.contains("imported into secrets.djsec: SECRET_KEY"), forced.stdout)
    XCTAssertEqual(try PythonKey.secretKey(in: root), try PythonKey.digest(another))
    XCTAssertEqual(
      try PythonKey.expression("settings.SECRET_KEY_FALLBACKS[0]", in: root), try PythonKey.digest(mine.key), "the store's key was dropped")
    assertNoValue(mine.values + [stored, another], in: [r, weak, forced])
  }
}

/// Values as Python and Django see them, compared by SHA-256 digest so no
/// value reaches an assertion message.
private enum PythonKey {
  static func run(_ code: String, in dir: URL? = nil, stdin: String? = nil) throws -> [String] {
    let r = try CLI.run(try CLI.python(), ["-c", code], in: dir, stdin: stdin)
    XCTAssertEqual(r.status, 0, r.stderr)
    return r.stdout.split(separator: "\n").map(String.init)
  }

  static func digest(_ value: String) throws -> String {
    try run("import hashlib,sys; print(hashlib.sha256(sys.stdin.read().encode()).hexdigest())", stdin: value).first ?? ""
  }

  /// Digests of `names` after executing `file` as Python.
  static func values(_ names: [String], executing file: URL) throws -> [String] {
    try run(
      """
      import hashlib
      ns = {}
      exec(compile(open(\(pythonString(file.path)), "rb").read(), "f", "exec"), ns)
      for n in \(names): print(hashlib.sha256(str(ns[n]).encode()).hexdigest())
      """)
  }

  private static func setup(_ root: URL) -> String {
    """
    import hashlib, os, sys, django
    sys.path.insert(0, \(pythonString(root.path)))
    os.environ["DJANGO_SETTINGS_MODULE"] = "demo.settings"
    django.setup()
    from django.conf import settings

    """
  }

  /// Django's settings `names`: digests, but booleans as they are.
  static func settings(_ names: [String], in root: URL) throws -> [String] {
    try run(
      setup(root) + """
        for n in \(names):
            v = getattr(settings, n)
            print(v if isinstance(v, bool) else hashlib.sha256(v.encode()).hexdigest())
        """, in: root)
  }

  static func expression(_ expr: String, in root: URL) throws -> String {
    try run(setup(root) + "print(hashlib.sha256((\(expr)).encode()).hexdigest())", in: root).first ?? ""
  }

  static func secretKey(in root: URL) throws -> String { try expression("settings.SECRET_KEY", in: root) }

  private static func pythonString(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
  }
}
