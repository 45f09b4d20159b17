import ArgumentParser
import DjsecCore

extension KeyAlphabet: ExpressibleByArgument {}

extension Djsec {
  struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "keygen",
      abstract: "Print a new Django SECRET_KEY drawn from libsodium's CSPRNG.",
      discussion: """
        Keys are 50 characters of Django's own alphabet by default, drawn without \
        modulo bias, and never start with '$' (django-environ refuses such keys).
        """
    )

    @Option(help: "Characters per key (at least 50, as Django's security.W009 asks).")
    var length = SecretKeyGenerator.minimumLength

    @Option(help: "Alphabet: django, urlsafe or hex.")
    var alphabet = KeyAlphabet.django

    @Option(help: "How many keys to print, one per line.")
    var count = 1

    func run() throws {
      guard count >= 1 else { throw KeyError.invalidCount(count) }
      var out = ""
      for _ in 0..<count {
        out += try SecretKeyGenerator.generate(length: length, alphabet: alphabet) + "\n"
      }
      print(out, terminator: "")
    }
  }
}
