/// The settings.py block djsec 0.1.0 wrote (`git show 2058779:Sources/DjsecCore/Settings/SettingsHook.swift`),
/// byte for byte: users' settings files still hold it, and `init` must replace it in place.
public enum OldSettingsHook {
  public static let v1 = #"""
    # >>> djsec: load local_settings.py (managed by djsec; keep this block last) >>>
    def _djsec_load_local_settings():
        import importlib
        import sys

        name = (__package__ + "." if __package__ else "") + "local_settings"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise  # an import inside local_settings.py failed: never hide it
            sys.stderr.write(
                "djsec: warning: %s.py is missing; running with the defaults in settings.py "
                "(DEBUG and the development key may be on). Run 'djsec init' to create it.\n" % name
            )
            return
        globals().update({k: v for k, v in vars(module).items() if k.isupper()})


    _djsec_load_local_settings()
    del _djsec_load_local_settings
    # <<< djsec <<<

    """#
}
