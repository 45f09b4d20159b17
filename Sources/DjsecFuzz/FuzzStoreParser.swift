// Fuzz target for the store and key-file parsers (`make fuzz`: libFuzzer,
// 60 seconds). Built without -DFUZZING it is a small program that replays
// the files named on its command line through the same entry point, so a
// crashing input found by the fuzzer can be re-run under a debugger.
import DjsecCore
import Foundation

/// Which parser this run feeds: DJSEC_FUZZ_TARGET=store (the default) or
/// keyfile. `make fuzz` runs each in turn.
let fuzzTarget = ProcessInfo.processInfo.environment["DJSEC_FUZZ_TARGET"] ?? "store"

/// Parses arbitrary bytes as a store or a key file; any input must end in a
/// value or a thrown error, never a crash.
func fuzzOne(_ bytes: UnsafeRawBufferPointer) {
  if fuzzTarget == "keyfile" {
    fuzzKeyFile(bytes)
    return
  }
  if let parsed = try? StoreFile.parse(bytes: Array(bytes), file: "fuzz") {
    // What parses must serialise and parse back to the same structure.
    let again = try? StoreFile.parse(parsed.text, file: "fuzz-again")
    precondition(again?.secrets == parsed.secrets && again?.recipients == parsed.recipients, "round trip changed the store")
    precondition(again?.generation == parsed.generation && again?.signature == parsed.signature, "round trip changed the header")
  }
}

/// A key file that parses must name a label and a 32-byte public key; a
/// passphrase-protected one must refuse a wrong passphrase without crashing
/// (Argon2id limits out of bounds are refused before any derivation).
func fuzzKeyFile(_ bytes: UnsafeRawBufferPointer) {
  let text = String(decoding: bytes, as: UTF8.self)
  guard let key = try? KeyFile.parse(text, path: "fuzz.key") else { return }
  precondition(key.publicKey.count == 32 && !key.label.isEmpty, "a parsed key file lacks its label or public key")
  if !key.isPassphraseProtected { _ = try? key.unlock { () throws(StoreError) in [] } }
}

#if FUZZING
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzOne(UnsafeRawBufferPointer(start: data, count: size))
    return 0
  }

  @_silgen_name("LLVMFuzzerRunDriver")
  func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
  ) -> CInt

  // SwiftPM links an executable target's entry point as <Target>_main; under
  // the fuzzer that entry point hands control to libFuzzer's driver.
  @_cdecl("DjsecFuzz_main")
  public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var args = argv
    return runDriver(&count, &args) { data, size in fuzzerTestOneInput(data, size) }
  }
#else
  @main
  struct Replay {
    static func main() {
      for path in CommandLine.arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else { continue }
        data.withUnsafeBytes(fuzzOne)
      }
    }
  }
#endif
