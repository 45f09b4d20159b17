import Foundation
import Testing

@testable import DjsecCore

/// What `render` refuses before writing anything: a secret name unsafe in the
/// template actually used, and config lines `init` would refuse as flags.
@Suite struct RendererTests {
  static let template = SettingsTemplate(
    name: "mine.tmpl",
    text:
      "SECRET_KEY = {{SECRET_KEY}}\nDEBUG = {{#deploy}}False{{/deploy}}{{^deploy}}True{{/deploy}}\nALLOWED_HOSTS = {{ALLOWED_HOSTS}}\n{{SECRETS}}"
  )

  func store(_ secrets: [String: String], config: [String: String] = ["hosts": "example.com"]) throws -> SecretStore {
    let store = try SecretStore.create(
      at: URL(fileURLWithPath: "/nonexistent/secrets.djsec"), opener: try KeyPair(), label: "a", trust: TrustSettings(recordFolder: nil),
      config: config)
    // StoreFile's legacy grammar still takes lower-case names, as old stores hold them.
    for (name, value) in ["SECRET_KEY": "k"].merging(secrets, uniquingKeysWith: { $1 }) { try store.set(name, Array(value.utf8)) }
    return store
  }

  @Test func rendersSafeNamesAsStringLiterals() throws {
    let text = try Renderer.render(try store(["API_TOKEN": "a\"b\n"]), template: Self.template)
    #expect(text.contains("API_TOKEN = \"a\\\"b\\n\"\n"))
    #expect(text.contains("ALLOWED_HOSTS = [\"example.com\"]"))
  }

  @Test(arguments: [
    ("DEBUG", SecretNameError.writtenByTemplate("DEBUG", template: "mine.tmpl")),
    ("class", .pythonKeyword("class")),
    ("db_password", .notUpperCase("db_password")),
  ])
  func refusesUnsafeNames(_ name: String, _ expected: SecretNameError) throws {
    let s = try store([name: "x"])
    #expect(throws: RenderError.unsafeName(expected, store: "secrets.djsec", template: "mine.tmpl")) {
      try Renderer.render(s, template: Self.template)
    }
  }

  @Test func aSettingOnlyAnotherTemplateWritesIsFine() throws {
    // The shipped template sets X_FRAME_OPTIONS; this one does not.
    _ = try Renderer.render(try store(["X_FRAME_OPTIONS": "DENY"]), template: Self.template)
  }

  static let badConfigs: [([String: String], StoreConfigError)] = [
    (["hosts": "*"], .refused(store: "secrets.djsec", problem: .wildcardHost)),
    (["hosts": "example.com *"], .refused(store: "secrets.djsec", problem: .wildcardHost)),
    (["hosts": "exa\"mple.com"], .refused(store: "secrets.djsec", problem: .invalidHost("exa\"mple.com"))),
    (["hosts": "http://example.com"], .refused(store: "secrets.djsec", problem: .invalidHost("http://example.com"))),
    (["hosts": ""], .refused(store: "secrets.djsec", problem: .noHosts)),
    ([:], .refused(store: "secrets.djsec", problem: .noHosts)),
    (["hosts": "example.com", "profile": "prod"], .unknownProfile(store: "secrets.djsec", value: "prod")),
    (["profile": "dev", "hosts": "bad_host"], .refused(store: "secrets.djsec", problem: .invalidHost("bad_host"))),
    (["hosts": "example.com", "hsts": "forever"], .unknownHSTS(store: "secrets.djsec", value: "forever")),
    (["hosts": "example.com", "hsts": "Full"], .unknownHSTS(store: "secrets.djsec", value: "Full")),
    (
      ["hosts": "example.com", "proxy_header": "X_Forwarded_Proto"],
      .refused(store: "secrets.djsec", problem: .invalidProxyHeader("X_Forwarded_Proto"))
    ),
    (
      ["hosts": "example.com", "proxy_header": "X-Forwarded-Proto\""],
      .refused(store: "secrets.djsec", problem: .invalidProxyHeader("X-Forwarded-Proto\""))
    ),
    (["hosts": "example.com", "proxy_header": "none"], .refused(store: "secrets.djsec", problem: .invalidProxyHeader("none"))),
  ]

  @Test(arguments: badConfigs)
  func refusesConfigInitWouldRefuse(_ config: [String: String], _ expected: StoreConfigError) throws {
    let s = try store([:], config: config)
    #expect(throws: RenderError.config(expected)) { try Renderer.render(s, template: Self.template) }
    #expect(expected.message.hasPrefix("secrets.djsec: config "))
  }

  @Test(arguments: [
    (["profile": "dev"], ["localhost", "127.0.0.1", "[::1]"]),
    (["profile": "dev", "hosts": "*"], ["localhost", "127.0.0.1", "[::1]", "*"]),
    (["hosts": "example.com .example.org"], ["example.com", ".example.org"]),
    (["hosts": "example.com", "future": "anything"], ["example.com"]),
  ])
  func acceptsWhatInitAccepts(_ config: [String: String], _ hosts: [String]) throws {
    let text = try Renderer.render(try store([:], config: config), template: Self.template)
    #expect(text.contains("ALLOWED_HOSTS = \(PythonLiteral.list(hosts))\n"))
  }

  @Test func hstsAndProxyComeFromTheConfigLines() throws {
    let template = SettingsTemplate(
      name: "t",
      text:
        "HSTS = {{SECURE_HSTS_SECONDS}}{{#hsts_full}} full{{/hsts_full}}\n{{#proxy}}P = {{SECURE_PROXY_SSL_HEADER}} # {{PROXY_HEADER}}\n{{/proxy}}"
    )
    let full = try Renderer.render(
      try store([:], config: ["hosts": "example.com", "hsts": "full", "proxy_header": "X-Url-Scheme"]), template: template)
    #expect(full == "HSTS = 31536000 full\nP = (\"HTTP_X_URL_SCHEME\", \"https\") # X-Url-Scheme\n")
    let short = try Renderer.render(try store([:], config: ["hosts": "example.com", "hsts": "short"]), template: template)
    #expect(short == "HSTS = 3600\n")
    // A store from before staged HSTS keeps rendering what it always did.
    #expect(try Renderer.render(try store([:], config: ["hosts": "example.com"]), template: template) == "HSTS = 31536000 full\n")
  }

  @Test func configLinesRoundTrip() throws {
    let s = try store([:], config: [:])
    let config = StoreConfig(hosts: ["example.com"], profile: .deploy, hsts: .short, proxyHeader: "X-Forwarded-Proto")
    config.write(to: s)
    #expect(s.file.config == ["hosts": "example.com", "profile": "deploy", "hsts": "short", "proxy_header": "X-Forwarded-Proto"])
    #expect(try StoreConfig(lines: s.file.config, store: "s") == config)
    #expect(config.proxyMetaKey == "HTTP_X_FORWARDED_PROTO")
  }

  /// A secret the template places is written there only; the others at the end, checked as before.
  @Test func placedSecretsAreNotRepeatedAndMayShareASettingsName() throws {
    let template = SettingsTemplate(
      name: "mine.tmpl",
      text:
        "DATABASES = {}\nDATABASES[\"default\"] = {{secret:DB_PASSWORD}}\nEMAIL_HOST_PASSWORD = {{secret:EMAIL_HOST_PASSWORD}}\n{{SECRETS}}"
    )
    let text = try Renderer.render(try store(["DB_PASSWORD": "a", "EMAIL_HOST_PASSWORD": "b", "API_TOKEN": "c"]), template: template)
    #expect(text == "DATABASES = {}\nDATABASES[\"default\"] = \"a\"\nEMAIL_HOST_PASSWORD = \"b\"\nAPI_TOKEN = \"c\"\n")
    // DATABASES is written by the template: a secret of that name is still refused.
    let s = try store(["DB_PASSWORD": "a", "EMAIL_HOST_PASSWORD": "b", "DATABASES": "x"])
    #expect(
      throws: RenderError.unsafeName(.writtenByTemplate("DATABASES", template: "mine.tmpl"), store: "secrets.djsec", template: "mine.tmpl")
    ) {
      try Renderer.render(s, template: template)
    }
  }

  @Test func aPlacedSecretTheStoreLacksFailsRender() throws {
    let template = SettingsTemplate(name: "mine.tmpl", text: "P = {{secret:DB_PASSWORD}}\n")
    #expect(throws: RenderError.template(.missingSecret(template: "mine.tmpl", name: "DB_PASSWORD"))) {
      try Renderer.render(try store([:]), template: template)
    }
  }

  @Test func initRefusesTheSameHostsAsFlags() {
    #expect(StoreConfig(hosts: ["*"], profile: .deploy).problem == .wildcardHost)
    #expect(StoreConfig(hosts: ["*"], profile: .dev).problem == nil)
    #expect(StoreConfig(hosts: [], profile: .deploy).problem == .noHosts)
    #expect(StoreConfig(hosts: ["a b"], profile: .dev).problem == .invalidHost("a b"))
    #expect(StoreConfig(hosts: ["example.com"], proxyHeader: "X-Forwarded-Proto").problem == nil)
    #expect(StoreConfig(hosts: ["example.com"], proxyHeader: "").problem == .invalidProxyHeader(""))
  }
}
