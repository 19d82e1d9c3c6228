// Loading properties writes the process environment (C `setenv`), which races with any other thread
// reading it (C `getenv` in `aeron_context_init`, `std::env::var`): it is `unsafe`, like `std::env::set_var`.
fn main() {
    let _ = rusteron_client::properties_buffer_load("aeron.dir=/tmp/x");
    let _ = rusteron_client::properties_file_load("/tmp/x.properties");
    let _ = rusteron_client::properties_load("/tmp/x.properties");
}
