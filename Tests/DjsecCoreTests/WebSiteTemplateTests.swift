import Foundation
import Testing

@testable import DjsecCore

/// The shipped sites, filled in as `init --web-root` fills them: nginx
/// itself accepts the nginx one (`nginx -t`, when nginx is installed), and
/// djsec's own parsers read both with the web root as the only folder served.
@Suite struct WebSiteTemplateTests {
  static let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("templates")

  func site(_ dir: TemporaryConfig) -> WebLayout.Site {
    var site = WebLayout.Site(
      config: StoreConfig(hosts: ["example.com", ".example.org"], hsts: .full), webRoot: dir.url("srv/demo/public").path, project: "demo")
    site.certificate = dir.url("tls/cert.pem").path
    site.certificateKey = dir.url("tls/key.pem").path
    return site
  }

  func render(_ name: String, _ dir: TemporaryConfig) throws -> String {
    try site(dir).render(SettingsTemplate.load(Self.templates.appendingPathComponent(name)))
  }

  @Test(arguments: ["nginx-site.conf", "apache-site.conf"])
  func servesOnlyThePublicFolder(_ name: String) throws {
    let dir = try TemporaryConfig()
    let text = try render(name, dir)
    #expect(!text.contains("{{"), "every placeholder is filled")
    try dir.write("site.conf", text)
    let loaded =
      name.hasPrefix("nginx")
      ? try NginxConfig.load(dir.url("site.conf")).directives : try ApacheConfig.load(dir.url("site.conf")).directives
    let served = Set(
      loaded.filter { ["root", "alias", "documentroot"].contains($0.name.lowercased()) }.compactMap(\.arguments.last))
    #expect(served == [dir.url("srv/demo/public").path])
    #expect(text.contains("max-age=31536000; includeSubDomains; preload"))
    #expect(text.contains("unix:/run/demo/gunicorn.sock"))
  }

  @Test func apacheNamesEachHostOnce() throws {
    let text = try render("apache-site.conf", TemporaryConfig())
    #expect(text.contains("ServerName example.com\n"))
    #expect(text.contains("ServerAlias example.org *.example.org\n"))
  }

  @Test(
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx"), "nginx is not installed (apt-get install nginx-light)"))
  func nginxAcceptsTheNginxSite() throws {
    let dir = try TemporaryConfig()
    try dir.write("site.conf", try render("nginx-site.conf", dir))
    try FileManager.default.createDirectory(at: dir.url("tls"), withIntermediateDirectories: true)
    // A throwaway self-signed pair made now: nothing key-like is committed.
    let made = Subprocess.run(
      "openssl",
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.url("tls/key.pem").path, "-out", dir.url("tls/cert.pem").path,
        "-subj", "/CN=example.com", "-days", "1",
      ])
    #expect(made?.status == 0)
    try dir.write("nginx.conf", "pid \(dir.url("nginx.pid").path);\nevents {}\nhttp {\n    include site.conf;\n}\n")
    let r = Subprocess.run(
      "/usr/sbin/nginx", ["-t", "-q", "-c", dir.url("nginx.conf").path, "-p", dir.root.path + "/", "-e", dir.url("error.log").path],
    )
    #expect(r?.status == 0, "\(r?.stderrText ?? "nginx did not run")")
  }
}
