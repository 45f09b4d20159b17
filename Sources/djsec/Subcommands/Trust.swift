import ArgumentParser
import DjsecCore
import Foundation

extension Djsec {
  struct Trust: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "trust",
      abstract: "Review the store (who signed it, what changed since you last accepted it) and accept it.",
      discussion: """
        djsec refuses a store signed by someone you have not accepted, a format 1 store (unsigned), and one that \
        gives access back to a removed recipient. This shows it and, when you say so, records it as trusted \
        (in $XDG_STATE_HOME/djsec/trust, outside the repository); a format 1 store is upgraded to format 2, signed \
        by you. Compare the signer's identity with the one your teammate gave you. See docs/SECURITY.md.
        """)
    @OptionGroup var options: StoreOptions
    @Flag(help: "Accept without asking (after reviewing the output).") var yes = false

    func run() throws {
      let store = try options.open(access: .review)
      let review = TrustReview(store)
      for line in review.lines { print(line) }
      let name = store.url.lastPathComponent
      guard review.needsAcceptance else {
        print("nothing to accept: you already trust \(name) as it is")
        return
      }
      if !yes {
        guard let answer = Terminal.confirm("accept \(name) as a store your team wrote? [y/N] ") else {
          throw TrustError.noTerminal(store: name)
        }
        guard answer else { throw TrustError.declined(store: name) }
      }
      try store.accept()
      print("accepted \(name) (generation \(store.file.generation), format \(store.file.version))")
    }
  }
}
