import Foundation

/// The layout the checklist asks for and `init --web-root` prepares: the web
/// server's document root is a public/ folder outside the code, holding only
/// static/ (STATIC_ROOT, filled by collectstatic) and media/ (MEDIA_ROOT,
/// the uploads); everything else is proxied to the application server. The
/// shipped sites (templates/nginx-site.conf, templates/apache-site.conf) are
/// filled in from the same values.
public enum WebLayout {
  public static func staticRoot(_ webRoot: String) -> String { webRoot + "/static" }
  public static func mediaRoot(_ webRoot: String) -> String { webRoot + "/media" }

  /// Why `folder` cannot be the web root of the project at `project`: the
  /// same folder, inside it, or around it would all serve the code. Nil when it is apart.
  public static func overlap(_ folder: URL, project: URL) -> String? {
    let web = folder.standardizedFileURL.resolvingSymlinksInPath().path
    let code = project.standardizedFileURL.resolvingSymlinksInPath().path
    if web == code { return "it is the project folder" }
    if web.hasPrefix(code + "/") { return "it is inside the project (\(code))" }
    if code.hasPrefix(web + "/") || web == "/" { return "the project (\(code)) is inside it" }
    return nil
  }

  /// What a site for this layout needs to know.
  public struct Site: Sendable, Equatable {
    /// ALLOWED_HOSTS, as init was given them (`.example.com` for a domain and its subdomains).
    public var hosts: [String]
    public var webRoot: String
    /// The application server's Unix socket (gunicorn's `--bind unix:PATH`).
    public var socket: String
    public var hsts: StoreConfig.HSTS
    /// The header the proxy sets to the scheme (SECURE_PROXY_SSL_HEADER's).
    public var proxyHeader: String
    public var certificate: String
    public var certificateKey: String

    /// Let's Encrypt's paths for the first host, and gunicorn's socket under /run/PROJECT.
    public init(config: StoreConfig, webRoot: String, project: String) {
      hosts = config.hosts
      self.webRoot = webRoot
      socket = "/run/\(project)/gunicorn.sock"
      hsts = config.hsts
      proxyHeader = config.proxyHeader ?? StoreConfig.defaultProxyHeader
      let first = hosts.first.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 } ?? "localhost"
      certificate = "/etc/letsencrypt/live/\(first)/fullchain.pem"
      certificateKey = "/etc/letsencrypt/live/\(first)/privkey.pem"
    }

    /// The templates' `{{NAME}}` values: written as they are (the hosts and
    /// paths were checked by init, and a config line holds no blank).
    public var values: [String: String] {
      // nginx reads `.example.com` as the domain and its subdomains, as Django does; Apache needs both names.
      let apache = hosts.flatMap { $0.hasPrefix(".") ? [String($0.dropFirst()), "*" + $0] : [$0] }
      return [
        "SERVER_NAMES": hosts.isEmpty ? "localhost" : hosts.joined(separator: " "),
        "SERVER_NAME": apache.first ?? "localhost",
        "SERVER_ALIASES": apache.dropFirst().joined(separator: " "),
        "PUBLIC_ROOT": webRoot,
        "APP_SOCKET": socket,
        "HSTS": "max-age=\(hsts.seconds)" + (hsts == .full ? "; includeSubDomains; preload" : ""),
        "PROXY_HEADER": proxyHeader,
        "TLS_CERTIFICATE": certificate,
        "TLS_CERTIFICATE_KEY": certificateKey,
      ]
    }

    public var flags: [String: Bool] { ["aliases": hosts.count > 1 || hosts.contains { $0.hasPrefix(".") }] }

    public func render(_ template: SettingsTemplate) throws(TemplateError) -> String {
      try template.render(values: values, flags: flags)
    }
  }
}
