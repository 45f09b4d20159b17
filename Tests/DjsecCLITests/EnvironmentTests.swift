import Foundation
import XCTest

/// Environments, layouts and reproducible renders (issue 8), end to end with
/// the built binary, real git and Django 5.2.
final class EnvironmentTests: XCTestCase {
  private var cleanup: [URL] = []

  override func tearDown() {
    for url in cleanup { try? FileManager.default.removeItem(at: url) }
  }

  private func project(_ name: String) throws -> URL {
    let work = try CLI.startProject(name, python: try CLI.python())
    cleanup.append(work)
    let root = work.appendingPathComponent("demo")
    try CLI.git(["init", "-q", "-b", "main"], in: root)
    return root
  }

  @discardableResult
  private func djsec(
    _ args: [String], in dir: URL, stdin: String? = nil, env: [String: String] = [:], status: Int32 = 0,
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> Run {
    try CLI.expect(args, in: dir, stdin: stdin, env: env, status: status, file: file, line: line)
  }

  /// What Django sees in `module`: DEBUG, ALLOWED_HOSTS and a digest of the
  /// key (never the key itself), one per line.
  private func django(_ module: String, in dir: URL, env: [String: String] = [:]) throws -> (status: Int32, lines: [String], stderr: String)
  {
    let code = """
      import hashlib, os, django
      os.environ["DJANGO_SETTINGS_MODULE"] = "\(module)"
      django.setup()
      from django.conf import settings as s
      print(s.DEBUG)
      print(" ".join(s.ALLOWED_HOSTS))
      print(hashlib.sha256(s.SECRET_KEY.encode()).hexdigest())
      print(" ".join(hashlib.sha256(k.encode()).hexdigest() for k in s.SECRET_KEY_FALLBACKS))
      """
    let r = try CLI.run(try CLI.python(), ["-c", code], in: dir, environment: env)
    return (r.status, r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), r.stderr)
  }

  private func digest(_ value: String) throws -> String {
    let r = try CLI.run(
      try CLI.python(), ["-c", "import hashlib,sys; print(hashlib.sha256(sys.stdin.read().encode()).hexdigest())"], stdin: value)
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  private func privateKey(_ keyFile: URL) throws -> String {
    let text = try String(contentsOf: keyFile, encoding: .utf8)
    let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("private: ") })
    return String(line.dropFirst("private: ".count))
  }

  /// Problem 1 and the two-machine acceptance: a laptop makes development and
  /// production and commits; a clone holding only production's key renders
  /// production: DEBUG off, production's hosts, its own key, check --deploy
  /// clean. Development's key cannot read production's store.
  func testTwoMachinesEachRenderTheirOwnEnvironment() throws {
    let laptop = try project("env-two")
    try djsec(["init", "--env", "development", "--profile", "dev"], in: laptop)
    try djsec(["init", "--env", "production", "--host", "example.com", "--hsts", "full"], in: laptop)
    try djsec(["render", "--env", "development"], in: laptop)
    let listed = try djsec(["env", "list"], in: laptop).stdout
    XCTAssertTrue(listed.contains("* development"), listed)
    XCTAssertTrue(listed.contains("production  secrets.production.djsec"), listed)
    let dev = try django("demo.settings", in: laptop)
    XCTAssertEqual(dev.lines.first, "True", dev.stderr)
    try CLI.git(["add", "-A"], in: laptop)
    let staged = try CLI.git(["diff", "--cached", "--name-only"], in: laptop).stdout
    XCTAssertFalse(staged.contains(".key\n") || staged.contains("local_settings") || staged.contains(".djsec/"), staged)
    try CLI.git(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "environments"], in: laptop)

    let identity = try XCTUnwrap(
      try djsec(["recipients", "list", "--env", "production"], in: laptop).stdout.split(separator: "\n").first?.split(separator: " ").last)
    let server = laptop.deletingLastPathComponent().appendingPathComponent("server")
    try CLI.git(["clone", "-q", laptop.path, server.path], in: laptop)
    let serverEnv = [
      "DJSEC_PRIVATE_KEY": try privateKey(laptop.appendingPathComponent("keys/production.key")),
      "DJSEC_TRUSTED_KEYS": String(identity),
      "XDG_STATE_HOME": server.appendingPathComponent("../server-state").standardizedFileURL.path,
    ]
    try djsec(["render", "--env", "production"], in: server, env: serverEnv)
    let prod = try django("demo.settings", in: server)
    XCTAssertEqual(prod.status, 0, prod.stderr)
    XCTAssertEqual(prod.lines[0], "False")
    XCTAssertEqual(prod.lines[1], "example.com")
    XCTAssertNotEqual(prod.lines[2], dev.lines[2], "production and development share a SECRET_KEY")
    let check = try CLI.run(try CLI.python(), ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], in: server)
    XCTAssertEqual(check.status, 0, check.stdout + check.stderr)

    // Development's key cannot open production's store.
    let devOnly = [
      "DJSEC_PRIVATE_KEY": try privateKey(laptop.appendingPathComponent("keys/development.key")),
      "XDG_STATE_HOME": server.appendingPathComponent("../dev-state").standardizedFileURL.path,
      "DJSEC_TRUSTED_KEYS": String(identity),
    ]
    let refused = try djsec(["secret", "get", "SECRET_KEY", "--env", "production"], in: server, env: devOnly, status: 2)
    XCTAssertTrue(refused.stderr.contains("none of your keys opens"), refused.stderr)
  }

  /// Problem 1: a store without its environment's settings is refused, not
  /// rendered with `ALLOWED_HOSTS = []`; an unknown environment names init.
  func testAStoreWithoutSettingsIsRefusedAndUnknownEnvironmentsNamed() throws {
    let root = try project("env-bare")
    try djsec(["keys", "new"], in: root)
    try djsec(["secret", "set", "API_TOKEN", "--stdin", "--store", "secrets.production.djsec"], in: root, stdin: UUID().uuidString)
    let r = try djsec(["render", "--store", "secrets.production.djsec"], in: root, status: 2)
    XCTAssertTrue(r.stderr.contains("hosts"), r.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("demo/local_settings.py").path))
    let unknown = try djsec(["render", "--env", "staging"], in: root, status: 2)
    XCTAssertTrue(unknown.stderr.contains("djsec init --env staging"), unknown.stderr)
    let bad = try djsec(["secret", "list"], in: root, env: ["DJSEC_ENV": "../prod"], status: 2)
    XCTAssertTrue(bad.stderr.contains("DJSEC_ENV"), bad.stderr)
  }

  /// Problem 2: split settings; each module loads its own file, so
  /// development's DEBUG and hosts never reach production's module.
  func testSplitSettingsRenderSeparateFiles() throws {
    let root = try project("env-split")
    let pkg = root.appendingPathComponent("demo/settings")
    try FileManager.default.createDirectory(at: pkg, withIntermediateDirectories: true)
    try FileManager.default.moveItem(at: root.appendingPathComponent("demo/settings.py"), to: pkg.appendingPathComponent("base.py"))
    // startproject's BASE_DIR is one level less deep now.
    var base = try String(contentsOf: pkg.appendingPathComponent("base.py"), encoding: .utf8)
    base = base.replacingOccurrences(of: ".resolve().parent.parent", with: ".resolve().parent.parent.parent")
    try base.write(to: pkg.appendingPathComponent("base.py"), atomically: true, encoding: .utf8)
    try "".write(to: pkg.appendingPathComponent("__init__.py"), atomically: true, encoding: .utf8)
    try "from .base import *  # noqa\n".write(to: pkg.appendingPathComponent("local.py"), atomically: true, encoding: .utf8)
    try "from .base import *  # noqa\n".write(to: pkg.appendingPathComponent("production.py"), atomically: true, encoding: .utf8)

    let made = try djsec(["init", "--env", "development", "--profile", "dev", "--settings", "demo/settings/local.py"], in: root)
    XCTAssertTrue(made.stdout.contains("demo/settings/base.py still holds startproject's django-insecure- SECRET_KEY"), made.stdout)
    try djsec(
      ["init", "--env", "production", "--host", "example.com", "--settings", "demo/settings/production.py", "--hsts", "full"], in: root)
    try djsec(["render", "--env", "development"], in: root)
    XCTAssertTrue(FileManager.default.fileExists(atPath: pkg.appendingPathComponent("local_settings_local.py").path))
    XCTAssertTrue(FileManager.default.fileExists(atPath: pkg.appendingPathComponent("local_settings_production.py").path))
    let prod = try django("demo.settings.production", in: root)
    XCTAssertEqual(prod.status, 0, prod.stderr)
    XCTAssertEqual(Array(prod.lines.prefix(2)), ["False", "example.com"])
    let dev = try django("demo.settings.local", in: root)
    XCTAssertEqual(dev.lines.first, "True", dev.stderr)
    XCTAssertNotEqual(dev.lines[2], prod.lines[2])
    // Rotating production re-renders production's file, found through the store's settings line.
    try djsec(["rotate", "secret-key", "--env", "production"], in: root)
    let rotated = try django("demo.settings.production", in: root)
    XCTAssertNotEqual(rotated.lines[2], prod.lines[2])
    XCTAssertEqual(rotated.lines[3], prod.lines[2], "the deployed key is the first fallback")
  }

  /// Problem 2: a src/ layout rotates and re-renders; a rotate that cannot
  /// find where it renders fails instead of exiting 0.
  func testSrcLayoutRotatesAndRenders() throws {
    let root = try project("env-src")
    let src = root.appendingPathComponent("src")
    try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
    try FileManager.default.moveItem(at: root.appendingPathComponent("demo"), to: src.appendingPathComponent("demo"))
    var manage = try String(contentsOf: root.appendingPathComponent("manage.py"), encoding: .utf8)
    manage = manage.replacingOccurrences(
      of: "import sys\n", with: "import sys\nsys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'src'))\n")
    try manage.write(to: root.appendingPathComponent("manage.py"), atomically: true, encoding: .utf8)
    try djsec(["init", "--host", "example.com", "--hsts", "full"], in: root)
    let pythonPath = ["PYTHONPATH": src.path]
    let before = try django("demo.settings", in: root, env: pythonPath)
    XCTAssertEqual(before.status, 0, before.stderr)
    let out = try djsec(["rotate", "secret-key"], in: src.appendingPathComponent("demo")).stdout
    XCTAssertTrue(out.contains("rendered"), out)
    let after = try django("demo.settings", in: root, env: pythonPath)
    XCTAssertNotEqual(after.lines[2], before.lines[2], "rotate left the old key deployed")
    XCTAssertEqual(after.lines[3], before.lines[2])

    // The settings file disappears: a rotation cannot render, and says so.
    try FileManager.default.removeItem(at: src.appendingPathComponent("demo/settings.py"))
    let failed = try djsec(["rotate", "secret-key"], in: root, status: 2)
    XCTAssertTrue(failed.stderr.contains("--settings"), failed.stderr)
  }

  /// A monorepo: backend/manage.py, every command run from the repository root.
  func testMonorepoFromTheRepositoryRoot() throws {
    let work = try CLI.temporaryFolder("env-mono")
    cleanup.append(work)
    let made = try CLI.run(try CLI.python(), ["-m", "django", "startproject", "demo"], in: work)
    XCTAssertEqual(made.status, 0, made.stderr)
    try FileManager.default.moveItem(at: work.appendingPathComponent("demo"), to: work.appendingPathComponent("backend"))
    try CLI.git(["init", "-q"], in: work)
    try djsec(["init", "--host", "example.com"], in: work)
    XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("backend/secrets.djsec").path))
    try djsec(["secret", "set", "DB_PASSWORD", "--stdin"], in: work, stdin: UUID().uuidString)
    try djsec(["rotate", "secret-key"], in: work)
    let listed = try djsec(["env", "list"], in: work).stdout
    XCTAssertTrue(listed.contains("secrets.djsec"), listed)
  }

  /// Problem 3: rotate renders with the template (and output) render was given.
  func testRotateKeepsTheTemplateAndOutput() throws {
    let root = try project("env-template")
    try djsec(["init", "--host", "example.com"], in: root)
    let shipped = try String(contentsOf: CLI.packageRoot.appendingPathComponent("templates/local_settings.py.tmpl"), encoding: .utf8)
    try (shipped + "\nMY_TEMPLATE_MARKER = True\n").write(to: root.appendingPathComponent("mine.tmpl"), atomically: true, encoding: .utf8)
    let store = try Data(contentsOf: root.appendingPathComponent("secrets.djsec"))
    try djsec(["render", "--template", "mine.tmpl"], in: root)
    XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("secrets.djsec")), store, "render changed the store")
    try djsec(["rotate", "secret-key"], in: root)
    let text = try String(contentsOf: root.appendingPathComponent("demo/local_settings.py"), encoding: .utf8)
    XCTAssertTrue(text.contains("MY_TEMPLATE_MARKER = True"), "rotate dropped the user's template")
    // A template that is gone: rotate fails before changing anything.
    let key = try djsec(["secret", "get", "SECRET_KEY"], in: root).stdout
    try FileManager.default.removeItem(at: root.appendingPathComponent("mine.tmpl"))
    let failed = try djsec(["rotate", "secret-key"], in: root, status: 2)
    XCTAssertTrue(failed.stderr.contains("mine.tmpl"), failed.stderr)
    XCTAssertEqual(try djsec(["secret", "get", "SECRET_KEY"], in: root).stdout, key, "a failed rotate changed the store")
  }

  /// Problem 8: a rotation whose render never happened (killed, or
  /// --no-render) then a second rotation: the deployed key stays a fallback.
  func testTheDeployedKeyIsNeverDropped() throws {
    let root = try project("env-deployed")
    try djsec(["init", "--host", "example.com"], in: root)
    let deployed = try django("demo.settings", in: root).lines[2]
    try djsec(["rotate", "secret-key", "--no-render"], in: root)
    let out = try djsec(["rotate", "secret-key"], in: root)
    XCTAssertTrue(out.stderr.contains("kept in SECRET_KEY_FALLBACKS"), out.stderr)
    let after = try django("demo.settings", in: root)
    XCTAssertTrue(after.lines[3].split(separator: " ").map(String.init).contains(deployed), "the deployed key was dropped")
  }

  /// Problem 8: concurrent rotations leave local_settings.py on the store's key.
  func testConcurrentRotationsStayInStep() throws {
    let root = try project("env-concurrent")
    try djsec(["init", "--host", "example.com"], in: root)
    for _ in 0..<5 {
      let group = DispatchGroup()
      for _ in 0..<4 {
        group.enter()
        DispatchQueue.global().async {
          _ = try? CLI.run(CLI.binary, ["rotate", "secret-key", "--keep", "3"], in: root)
          group.leave()
        }
      }
      group.wait()
      let stored = try djsec(["secret", "get", "SECRET_KEY"], in: root).stdout.trimmingCharacters(in: .newlines)
      let deployed = try django("demo.settings", in: root).lines[2]
      XCTAssertEqual(try digest(stored), deployed, "local_settings.py is on another key than the store")
    }
  }

  /// `djsec status`: each environment, whether local_settings.py is in step,
  /// and temporary files a killed djsec left; exit 1 when a command is due.
  func testStatusShowsWhatIsBehind() throws {
    let root = try project("env-status")
    try djsec(["init", "--host", "example.com"], in: root)
    XCTAssertTrue(try djsec(["status"], in: root).stdout.contains("in step with the store"))
    try djsec(["rotate", "secret-key", "--no-render"], in: root)
    let behind = try djsec(["status"], in: root, status: 1).stdout
    XCTAssertTrue(behind.contains("behind the store") && behind.contains("djsec render"), behind)
    try djsec(["render"], in: root)
    let temp = root.appendingPathComponent("demo/.local_settings.py.djsec-tmp-4194000-Ab12Cd")
    try "SECRET_KEY = 'left over'\n".write(to: temp, atomically: false, encoding: .utf8)
    let stale = try djsec(["status"], in: root, status: 1).stdout
    XCTAssertTrue(stale.contains("in step") && stale.contains("demo/.local_settings.py.djsec-tmp-4194000-Ab12Cd"), stale)
    // Rendering again sweeps the dead writer's temporary file.
    try djsec(["render"], in: root)
    XCTAssertFalse(FileManager.default.fileExists(atPath: temp.path), "a stale temporary file was not swept")
    try djsec(["init", "--env", "production", "--host", "example.com"], in: root)
    // Making production's store here leaves this checkout on the default environment's file.
    let both = try djsec(["status"], in: root).stdout
    XCTAssertTrue(both.contains("* default") && both.contains("holds environment default"), both)
  }

  /// Run as root in a checkout another user owns, git refuses the repository
  /// ("dubious ownership"): the rollback check cannot run, and djsec says so
  /// with the fix instead of skipping it in silence.
  func testGitRefusingTheRepositoryIsSaid() throws {
    guard getuid() == 0 else { throw XCTSkip("needs root to give the checkout to another user") }
    let root = try project("env-dubious")
    try djsec(["init", "--host", "example.com"], in: root)
    try CLI.git(["add", "-A"], in: root)
    try CLI.git(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "store"], in: root)
    let key = try privateKey(root.appendingPathComponent("keys/default.key"))
    try FileManager.default.removeItem(at: root.appendingPathComponent("keys/default.key"))
    let chown = try CLI.run(URL(fileURLWithPath: "/bin/chown"), ["-R", "65534:65534", root.path])
    XCTAssertEqual(chown.status, 0, chown.stderr)
    let r = try djsec(
      ["secret", "get", "SECRET_KEY"], in: root,
      env: ["DJSEC_PRIVATE_KEY": key, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"])
    XCTAssertTrue(r.stderr.contains("safe.directory"), r.stderr)
    // Nor may it write a secret file git cannot vouch for: git refusing is no "outside every repository".
    let render = try djsec(
      ["render"], in: root, env: ["DJSEC_PRIVATE_KEY": key, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"], status: 2)
    XCTAssertTrue(render.stderr.contains("git refused") && render.stderr.contains("safe.directory"), render.stderr)
  }

  /// Deliver item 9: an environment set up to take its secrets from the
  /// process environment renders a local_settings.py with no secret in it;
  /// Django stops naming the variable without `djsec exec`, and runs with it.
  func testSecretsFromTheEnvironment() throws {
    let root = try project("env-from-env")
    try djsec(["init", "--host", "example.com", "--hsts", "full", "--secrets-from", "env"], in: root)
    let password = UUID().uuidString
    try djsec(["secret", "set", "DB_PASSWORD", "--stdin"], in: root, stdin: password)
    try djsec(["render"], in: root)
    let key = try djsec(["secret", "get", "SECRET_KEY"], in: root).stdout.trimmingCharacters(in: .newlines)
    let file = try String(contentsOf: root.appendingPathComponent("demo/local_settings.py"), encoding: .utf8)
    XCTAssertFalse(file.contains(key) || file.contains(password), "a secret was rendered into local_settings.py")
    let bare = try django("demo.settings", in: root)
    XCTAssertNotEqual(bare.status, 0)
    XCTAssertTrue(bare.stderr.contains("SECRET_KEY is not in the environment"), bare.stderr)
    let code = """
      import hashlib, os, django
      os.environ["DJANGO_SETTINGS_MODULE"] = "demo.settings"
      django.setup()
      from django.conf import settings as s
      print(hashlib.sha256(s.SECRET_KEY.encode()).hexdigest(), hashlib.sha256(s.DB_PASSWORD.encode()).hexdigest())
      """
    let before = CLI.snapshot(root)
    let run = try djsec(["exec", "--", try CLI.python().path, "-c", code], in: root)
    XCTAssertEqual(run.stdout.trimmingCharacters(in: .newlines), "\(try digest(key)) \(try digest(password))")
    XCTAssertEqual(CLI.snapshot(root), before, "exec changed the folder")
    let check = try djsec(
      ["exec", "--", try CLI.python().path, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], in: root)
    XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
  }
}
