//! The `relsim` binary: everything happens in [`relsim::cli`].

fn main() {
    std::process::exit(relsim::cli::main_with_args(std::env::args_os().collect()));
}
