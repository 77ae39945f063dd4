//! Entry point: wiring only.

fn main() {
    println!("lvsdeck");
}
