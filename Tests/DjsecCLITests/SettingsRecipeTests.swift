import DjsecTestSupport
import Foundation
import XCTest

/// The recipes in the shipped template (issue 8, deliverable 3): each one,
/// uncommented as its instructions say, takes a stored secret into a setting
/// settings.py defined, and real Django 5.2 reads the stored value back. Values
/// are generated here and compared by digest inside Python: never printed.
final class SettingsRecipeTests: XCTestCase {
  private var python: URL!
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var local: URL { project.appendingPathComponent("demo/local_settings.py") }
  private var mine: URL { project.appendingPathComponent("deploy/local_settings.py.tmpl") }

  override func setUpWithError() throws {
    python = try CLI.python()
    work = try CLI.startProject("recipes", python: python)
    try CLI.git(["init", "-q"], in: project)
    try CLI.expect(["init", ".", "--host", "example.com", "--hsts", "full"], in: project)
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  /// The shipped template with the named recipes uncommented in place, written to deploy/.
  private func writeTemplate(uncommenting recipes: Set<String>) throws {
    let shipped = try String(contentsOf: CLI.packageRoot.appendingPathComponent("templates/local_settings.py.tmpl"), encoding: .utf8)
    var out: [String] = []
    var inside: String?
    var found: Set<String> = []
    for line in shipped.components(separatedBy: "\n") {
      if line.hasPrefix("# >>> recipe ") {
        inside = line.dropFirst("# >>> recipe ".count).split(separator: ":").first.map(String.init)
        found.insert(inside!)
      } else if line == "# <<< recipe" {
        inside = nil
      } else if let name = inside, recipes.contains(name) {
        XCTAssertTrue(line.hasPrefix("# ") || line == "#", "recipe \(name): a line without '# ': \(line)")
        out.append(String(line.dropFirst(line == "#" ? 1 : 2)))
        continue
      }
      out.append(line)
    }
    XCTAssertTrue(recipes.isSubset(of: found), "the shipped template has no recipe \(recipes.subtracting(found).sorted())")
    try FileManager.default.createDirectory(at: mine.deletingLastPathComponent(), withIntermediateDirectories: true)
    try out.joined(separator: "\n").write(to: mine, atomically: true, encoding: .utf8)
  }

  private func store(_ name: String, _ value: String) throws {
    // --stdin eats one trailing newline (what `echo` adds): send one more.
    try CLI.expect(["secret", "set", name, "--stdin"], in: project, stdin: value + "\n")
  }

  /// True when the setting `expression` evaluates to holds exactly `value`, compared by digest in Python.
  private func holds(_ expression: String, _ value: String, file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
    let code = """
      import hashlib, sys
      from django.conf import settings
      digest = lambda s: hashlib.sha256(s.encode("utf-8", "surrogatepass")).hexdigest()
      print(digest(\(expression)) == digest(sys.stdin.read()))
      """
    let r = try CLI.run(python, ["-c", code], in: project, stdin: value, environment: ["DJANGO_SETTINGS_MODULE": "demo.settings"])
    XCTAssertEqual(r.status, 0, String(r.stderr.split(separator: "\n").last ?? ""), file: file, line: line)
    return r.stdout == "True\n"
  }

  /// Read from the settings alone (no django.setup(): a postgres engine would need psycopg installed).
  private func setting(_ expression: String) throws -> String {
    let r = try CLI.run(
      python, ["-c", "from django.conf import settings as s; print(\(expression))"], in: project,
      environment: ["DJANGO_SETTINGS_MODULE": "demo.settings"])
    XCTAssertEqual(r.status, 0, r.stderr)
    return r.stdout.trimmingCharacters(in: .newlines)
  }

  /// A password with what needs escaping in Python and in a URL.
  private func password() -> String {
    SecretGenerator.random(20, from: SecretGenerator.base62) + #"'"\ @:/%?#"#
  }

  func testDatabasePasswordRecipe() throws {
    let value = password()
    try store("DB_PASSWORD", value)
    try writeTemplate(uncommenting: ["DB_PASSWORD"])
    try CLI.expect(["render", "--template", mine.path], in: project)
    XCTAssertTrue(try holds("settings.DATABASES['default']['PASSWORD']", value))
    // The rest of settings.py's DATABASES is kept.
    XCTAssertEqual(try setting("s.DATABASES['default']['ENGINE']"), "django.db.backends.sqlite3")
    // The template placed it: not repeated as a setting of its own.
    XCTAssertEqual(try setting("hasattr(s, 'DB_PASSWORD')"), "False")
    XCTAssertEqual(try CLI.run(python, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], in: project).status, 0)
  }

  func testDatabaseURLRecipe() throws {
    let secret = password()
    let user = "app_" + SecretGenerator.random(6, from: SecretGenerator.lower)
    let quoted = try XCTUnwrap(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
    // Assembled in pieces: written whole, the URL would be a credential-shaped line djsec's own scan reports.
    try store("DATABASE_URL", "postgres://" + user + ":" + quoted + "@db.example.invalid:6432/shop")
    try writeTemplate(uncommenting: ["DATABASE_URL"])
    try CLI.expect(["render", "--template", mine.path], in: project)
    XCTAssertTrue(try holds("settings.DATABASES['default']['PASSWORD']", secret))
    XCTAssertEqual(
      try setting("[s.DATABASES['default'][k] for k in ('ENGINE', 'NAME', 'USER', 'HOST', 'PORT')]"),
      "['django.db.backends.postgresql', 'shop', '\(user)', 'db.example.invalid', '6432']")
  }

  func testEmailAndCacheRecipes() throws {
    let mail = password()
    let redis = SecretGenerator.random(24, from: SecretGenerator.base62)
    try store("EMAIL_HOST_PASSWORD", mail)
    let url = "redis://:" + redis + "@cache.example.invalid:6379/0"
    try store("REDIS_URL", url)
    try writeTemplate(uncommenting: ["EMAIL_HOST_PASSWORD", "REDIS_URL"])
    try CLI.expect(["render", "--template", mine.path], in: project)
    XCTAssertTrue(try holds("settings.EMAIL_HOST_PASSWORD", mail))
    XCTAssertTrue(try holds("settings.CACHES['default']['LOCATION']", url))
    XCTAssertEqual(try setting("s.CACHES['default']['BACKEND']"), "django.core.cache.backends.redis.RedisCache")
  }

  func testATemplateNamingASecretTheStoreLacksFailsRender() throws {
    try writeTemplate(uncommenting: ["DB_PASSWORD"])
    let before = try Data(contentsOf: local)
    let r = try CLI.expect(["render", "--template", mine.path], in: project, status: 2)
    let lines = r.stderr.split(separator: "\n")
    XCTAssertEqual(lines.count, 2, r.stderr)
    XCTAssertTrue(lines[0].hasPrefix("djsec: error: ") && lines[0].contains("DB_PASSWORD"), r.stderr)
    XCTAssertTrue(r.stderr.contains("djsec secret set DB_PASSWORD"), r.stderr)
    XCTAssertEqual(try Data(contentsOf: local), before, "render wrote something")
  }

  /// The shipped template keeps its recipes commented: it renders without those secrets, and shows the placeholders as written.
  func testShippedTemplateRendersWithItsRecipesCommented() throws {
    try CLI.expect(["render"], in: project)
    let text = try String(contentsOf: local, encoding: .utf8)
    XCTAssertTrue(text.contains("# DATABASES[\"default\"][\"PASSWORD\"] = {{secret:DB_PASSWORD}}\n"), text)
    XCTAssertEqual(try CLI.run(python, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], in: project).status, 0)
  }
}
