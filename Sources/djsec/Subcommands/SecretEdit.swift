import ArgumentParser
import DjsecCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension Djsec.Secret {
  /// `$VISUAL` or `$EDITOR` on a plaintext copy of every secret; the copy,
  /// the editor loop and the write are `EditSession`'s (docs/store.md).
  struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "edit",
      abstract: "Edit every secret in $EDITOR.",
      discussion: """
        The copy is private (0600, in $XDG_RUNTIME_DIR or TMPDIR) and removed afterwards whatever happens. \
        On an error the editor reopens with the message at the top; empty the file or quit the editor with \
        an error to change nothing.
        """
    )
    @OptionGroup var options: StoreOptions
    @Flag(help: "Accept an empty value or removing SECRET_KEY without asking.") var yes = false

    func run() throws {
      let environment = ProcessInfo.processInfo.environment
      let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
      var settings = EditSession.Settings(editor: editor, copyBase: PlaintextCopy.base(environment: environment))
      settings.assumeYes = yes
      settings.confirm = Terminal.confirm
      settings.onLockWait = StoreOptions.lockWait
      // The names `secret set` takes, judged against the shipped template; the
      // reason names no line text (a pasted value may sit where a name goes).
      settings.checkName = { name in
        do throws(SecretNameError) {
          try SecretName.check(name, notWrittenBy: Djsec.Secret.shippedTemplate)
          return nil
        } catch {
          if case .writtenByTemplate = error { return "the name is a setting the template writes itself" }
          return "the name is refused: " + error.reason
        }
      }
      let location = try options.workspace().location
      let trust = try StoreOptions.trust()
      do throws(EditError) {
        let session = try EditSession.begin(
          location.store, keyRing: location.keyRing, passphrase: Terminal.passphrase, trust: trust,
          create: { () throws(StoreError) in try location.newStore(passphrase: Terminal.passphrase, trust: trust).store },
          onLockWait: StoreOptions.lockWait)
        _ = try session.run(settings)
      } catch {
        // The copy is already gone: end the way the signal would have, so
        // the parent (a shell, a terminal closing) sees the real cause.
        if case .interrupted(let signal) = error {
          Glibc.signal(signal, SIG_DFL)
          raise(signal)
        }
        throw error
      }
    }
  }
}
