/// A store's config line that `render` refuses, named by store and key, for
/// the same reasons `init` refuses the flags that would have written it.
public enum StoreConfigError: Error, Equatable, Sendable {
  case refused(store: String, problem: StoreConfig.Problem)
  case unknownProfile(store: String, value: String)
  case unknownSecretsSource(store: String, value: String)
  case unknownHSTS(store: String, value: String)
}

extension StoreConfigError: DjsecError {
  public var message: String {
    switch self {
    case .refused(let store, .invalidHost(let host)):
      "\(store): config \(StoreConfig.hostsKey): \(host) is not a valid host name"
    case .refused(let store, .wildcardHost):
      "\(store): config \(StoreConfig.hostsKey): * lets any Host header through, which the deploy profile refuses"
    case .refused(let store, .noHosts):
      "\(store): config \(StoreConfig.hostsKey) is missing or empty, and the deploy profile needs the host names the site answers to"
    case .refused(let store, .badPath(let key, let value)):
      "\(store): config \(key): \(value) is not a path djsec renders with (no '..', blanks or control characters\(key == StoreConfig.settingsKey ? ", relative to the project" : ""))"
    case .refused(let store, .invalidProxyHeader(let header)):
      "\(store): config \(StoreConfig.proxyHeaderKey): \(header) is not an HTTP header name"
    case .unknownProfile(let store, let value):
      "\(store): config \(StoreConfig.profileKey): \(value) is not a profile djsec knows (deploy or dev)"
    case .unknownSecretsSource(let store, let value):
      "\(store): config \(StoreConfig.secretsFromKey): \(value) is not a source djsec knows (file or env)"
    case .unknownHSTS(let store, let value):
      "\(store): config \(StoreConfig.hstsKey): \(value) is not an HSTS stage djsec knows (short or full)"
    }
  }

  public var hint: String? {
    let repair = "(it keeps the key); if nobody here wrote that line, restore the store from git and find out who did"
    switch self {
    case .refused(_, .noHosts):
      return
        "record them with 'djsec init --host example.com' (it keeps the key), or use 'djsec init --profile dev' on a development machine"
    case .refused(_, .badPath(StoreConfig.webRootKey, _)):
      return "set it again with 'djsec init --web-root /srv/PROJECT/public --host example.com' (an absolute folder) \(repair)"
    case .refused(_, .badPath(let key, _)): return "set it again with 'djsec render --\(key) PATH' \(repair)"
    case .refused(_, .invalidProxyHeader):
      return "set the header with 'djsec init --behind-proxy X-Forwarded-Proto --host example.com' \(repair)"
    case .refused: return "set the hosts with 'djsec init --host example.com' \(repair)"
    case .unknownProfile: return "set the profile with 'djsec init --profile deploy --host example.com' \(repair)"
    case .unknownSecretsSource: return "set it with 'djsec init --secrets-from env' \(repair)"
    case .unknownHSTS: return "set it with 'djsec init --hsts short --host example.com' \(repair)"
    }
  }
}
