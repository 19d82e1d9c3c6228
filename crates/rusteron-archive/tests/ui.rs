//! Compile-fail tests: misuse of the archive API is rejected by the compiler.

#[test]
fn misuse_does_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
