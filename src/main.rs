fn main() {
    eprintln!("iamsim: not yet built");
    std::process::exit(2);
}
