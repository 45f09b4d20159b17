/// Why `render` wrote nothing: a secret whose name would be unsafe in the
/// template in use, a refused config line, or the store or template failing.
public enum RenderError: Error, Equatable, Sendable {
  case unsafeName(SecretNameError, store: String, template: String)
  case config(StoreConfigError)
  case template(TemplateError)
  case store(StoreError)
  /// The settings file the environment renders for cannot be found.
  case project(ProjectError, store: String)
  /// The template this checkout last rendered with (or the environment's) is gone.
  case templateGone(path: String, remembered: Bool, fix: String)
}

extension RenderError: DjsecError {
  public var message: String {
    switch self {
    case .unsafeName(let e, let store, let template):
      "refusing to render the secret \(e.shownName) from \(store) into \(template): \(e.reason)"
    case .config(let e): e.message
    case .template(let e): e.message
    case .store(let e): e.message
    case .project(let e, _): e.message
    case .templateGone(let path, let remembered, _):
      "the template \(remembered ? "this checkout last rendered with" : "the environment names"), \(path), is gone"
    }
  }

  public var hint: String? {
    switch self {
    case .unsafeName(let e, _, _):
      "rename it: 'djsec secret set NEW_NAME' with the same value, then 'djsec secret rm \(e.shownName)'"
    case .config(let e): e.hint
    case .template(let e): e.hint
    case .store(let e): e.hint
    case .project(let e, _): e.hint.map { $0 + ", or --out PATH (remembered for this environment)" }
    case .templateGone(_, _, let fix): "restore it, or name the template to use from now on: \(fix)"
    }
  }
}
