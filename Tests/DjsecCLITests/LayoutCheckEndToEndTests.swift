import Foundation
import XCTest

/// The layout checks on projects made by Django's own `startproject`: web
/// server configurations whose root is the project folder fire, ones
/// serving a public/ folder beside it stay quiet (nginx through an include
/// of sites-enabled/*, Apache through IncludeOptional); STATIC_ROOT and
/// MEDIA_ROOT inside and outside the code; and `init --web-root` then
/// `check --nginx` on the site it wrote is quiet.
final class LayoutCheckEndToEndTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var publicFolder: URL { work.appendingPathComponent("public") }

  override func setUpWithError() throws {
    work = try CLI.startProject("layout", python: try CLI.python())
    try CLI.git(["init", "-q", "-b", "main"], in: project)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-q", "-m", "startproject"], in: project)
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

  private func write(_ path: String, _ text: String) throws {
    let file = work.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: file)
  }

  /// check's JSON findings for `id`, and that check's status; `--root` an empty host so /etc is never read.
  private func check(_ id: String, _ extra: [String]) throws -> (status: String?, findings: [[String: Any]], exit: Int32) {
    let host = work.appendingPathComponent("host")
    try FileManager.default.createDirectory(at: host, withIntermediateDirectories: true)
    let r = try CheckReport.run(project, ["--root", host.path] + extra)
    return (r.checks[id], r.fired(id), r.status)
  }

  private func nginxSite(root: URL) -> String {
    """
    # the project's site
    server {
        listen 80;
        server_name "example.com";
        root \(root.path);   # where files are served from
        location /favicon.ico { log_not_found off; }
    }

    """
  }

  func testAnNginxRootOnTheProjectFires() throws {
    try write("nginx/nginx.conf", "events {}\nhttp {\n    include mime.types;\n    include sites-enabled/*;\n}\n")
    try write("nginx/mime.types", "types { text/html html; }\n")
    try write("nginx/sites-enabled/demo", nginxSite(root: project))
    let conf = work.appendingPathComponent("nginx/nginx.conf").path

    let fresh = try check("layout.document-root", ["--nginx", conf])
    XCTAssertEqual(fresh.findings.count, 1, "\(fresh.findings)")
    let f = try XCTUnwrap(fresh.findings.first)
    XCTAssertEqual(f["severity"] as? String, "high", "nothing secret yet: manage.py, the settings, .git")
    XCTAssertEqual(f["path"] as? String, work.appendingPathComponent("nginx/sites-enabled/demo").path)
    XCTAssertEqual(f["line"] as? Int, 5)
    XCTAssertTrue((f["message"] as? String ?? "").contains(".git"), "\(f)")
    XCTAssertTrue((f["fix"] as? String ?? "").contains("templates/nginx-site.conf"))
    XCTAssertEqual(fresh.exit, 1)

    // Once init wrote local_settings.py, the keys and the store, they are served too.
    try CLI.expect(["init", ".", "--host", "example.com", "--hsts", "full"], in: project)
    let after = try check("layout.document-root", ["--nginx", work.appendingPathComponent("nginx").path])
    XCTAssertEqual(after.findings.first?["severity"] as? String, "critical", "\(after.findings)")
    XCTAssertTrue((after.findings.first?["message"] as? String ?? "").contains("demo/local_settings.py"))
  }

  func testAnNginxRootOnAPublicFolderBesideTheProjectIsQuiet() throws {
    try FileManager.default.createDirectory(at: publicFolder, withIntermediateDirectories: true)
    try write("nginx/nginx.conf", "events {}\nhttp {\n    include sites-enabled/*;\n}\n")
    try write("nginx/sites-enabled/demo", nginxSite(root: publicFolder))
    let r = try check("layout.document-root", ["--nginx", work.appendingPathComponent("nginx/nginx.conf").path])
    XCTAssertEqual(r.status, "passed", "\(r.findings)")
    XCTAssertEqual(try check("layout.static-media", ["--nginx", work.appendingPathComponent("nginx/nginx.conf").path]).status, "passed")
  }

  func testWithoutAConfigurationTheLayoutIsNotApplicable() throws {
    XCTAssertEqual(try check("layout.document-root", []).status, "not-applicable")
    XCTAssertEqual(try check("layout.static-media", []).status, "not-applicable", "startproject sets no STATIC_ROOT")
    // The usual place under --root is read when no flag is given; an include loop there is said, not followed forever.
    try write("host/etc/nginx/nginx.conf", "http { include /etc/nginx/sites-enabled/*; }\n")
    try write("host/etc/nginx/sites-enabled/loop", "include /etc/nginx/nginx.conf;\n")
    let looped = try check("layout.document-root", [])
    XCTAssertEqual(looped.findings.first?["severity"] as? String, "medium", "\(looped.findings)")
    XCTAssertTrue((looped.findings.first?["message"] as? String ?? "").contains("loop"))
  }

  func testAnApacheDocumentRootOnTheProjectFiresAndOneBesideItDoesNot() throws {
    try write("apache2/apache2.conf", "# Debian's layout\nIncludeOptional conf-enabled/*.conf\nIncludeOptional sites-enabled/*.conf\n")
    let site = { (root: URL) in
      "<VirtualHost *:80>\n    ServerName example.com\n    DocumentRoot \"\(root.path)\"\n    <Directory \"\(root.path)\">\n"
        + "        Require all granted\n    </Directory>\n</VirtualHost>\n"
    }
    try write("apache2/sites-enabled/demo.conf", site(project))
    let apache = work.appendingPathComponent("apache2").path
    let bad = try check("layout.document-root", ["--apache", apache])
    XCTAssertEqual(bad.findings.count, 1, "\(bad.findings)")
    XCTAssertEqual(bad.findings.first?["line"] as? Int, 3)
    XCTAssertTrue((bad.findings.first?["fix"] as? String ?? "").contains("templates/apache-site.conf"))

    try FileManager.default.createDirectory(at: publicFolder, withIntermediateDirectories: true)
    try write("apache2/sites-enabled/demo.conf", site(publicFolder))
    XCTAssertEqual(try check("layout.document-root", ["--apache", apache]).status, "passed")
  }

  func testStaticRootInsideTheCodeFiresAndOutsideItDoesNot() throws {
    let settings = project.appendingPathComponent("demo/settings.py")
    let original = try String(contentsOf: settings, encoding: .utf8)
    try (original + "\nSTATIC_ROOT = \"staticfiles\"\nMEDIA_ROOT = \"\(publicFolder.path)/media\"\n").write(
      to: settings, atomically: true, encoding: .utf8)
    var r = try check("layout.static-media", [])
    XCTAssertEqual(r.findings.count, 1, "\(r.findings)")
    XCTAssertEqual(r.findings.first?["severity"] as? String, "medium")
    XCTAssertTrue((r.findings.first?["message"] as? String ?? "").contains("STATIC_ROOT (staticfiles)"))

    try (original + "\nMEDIA_ROOT = BASE_DIR\nMEDIA_ROOT = \"media\"\n").write(to: settings, atomically: true, encoding: .utf8)
    r = try check("layout.static-media", [])
    XCTAssertEqual(r.findings.first?["severity"] as? String, "high", "uploads inside the code: \(r.findings)")

    try (original + "\nSTATIC_ROOT = \"\(publicFolder.path)/static\"\n").write(to: settings, atomically: true, encoding: .utf8)
    XCTAssertEqual(try check("layout.static-media", []).status, "passed")
  }

  func testInitWebRootPreparesALayoutTheCheckAccepts() throws {
    let inside = try CLI.expect(["init", ".", "--host", "example.com", "--web-root", "demo/public"], in: project, status: 2)
    XCTAssertTrue(inside.stderr.contains("djsec: error: refusing --web-root"), inside.stderr)
    XCTAssertTrue(inside.stderr.contains("djsec: hint: "), inside.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent("demo/local_settings.py").path))

    let site = work.appendingPathComponent("nginx-site.conf")
    let dry = try CLI.expect(
      ["init", ".", "--host", "example.com", "--hsts", "full", "--web-root", "../public", "--nginx-site", site.path, "--dry-run"],
      in: project)
    XCTAssertTrue(dry.stdout.contains("would create \(publicFolder.path)/static"), dry.stdout)
    XCTAssertFalse(FileManager.default.fileExists(atPath: publicFolder.path), "a dry run makes no folder")

    try CLI.expect(
      ["init", ".", "--host", "example.com", "--hsts", "full", "--web-root", "../public", "--nginx-site", site.path], in: project)
    for folder in ["static", "media"] {
      XCTAssertTrue(FileManager.default.fileExists(atPath: publicFolder.appendingPathComponent(folder).path), folder)
    }
    let local = try String(contentsOf: project.appendingPathComponent("demo/local_settings.py"), encoding: .utf8)
    XCTAssertTrue(local.contains("STATIC_ROOT = \"\(publicFolder.path)/static\""), local)
    XCTAssertTrue(local.contains("MEDIA_ROOT = \"\(publicFolder.path)/media\""), local)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-q", "-m", "djsec init"], in: project)

    // render, from the store's web_root line, writes them again.
    try CLI.expect(["render"], in: project)
    XCTAssertEqual(try String(contentsOf: project.appendingPathComponent("demo/local_settings.py"), encoding: .utf8), local)

    for id in ["layout.document-root", "layout.static-media"] {
      let r = try check(id, ["--nginx", site.path])
      XCTAssertEqual(r.status, "passed", "\(id): \(r.findings)")
    }
    let all = try CLI.djsec(["check", project.path, "--nginx", site.path, "--root", work.appendingPathComponent("host").path])
    XCTAssertEqual(all.status, 0, all.stdout)
  }
}
