import ArgumentParser

/// `--env NAME`, shared by every command that works on one environment.
struct EnvironmentOption: ParsableArguments {
  @Option(
    name: .customLong("env"),
    help: ArgumentHelp(
      "The environment (default: $DJSEC_ENV, else the one this checkout last rendered, else the default).",
      discussion: "Each environment has its own store (secrets.NAME.djsec beside manage.py; the default one is secrets.djsec), "
        + "its own key pair (keys/NAME.key) and SECRET_KEY.",
      valueName: "name"))
  var name: String?
}
