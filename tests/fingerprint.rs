//! Fingerprints are XXH3-128 with seed 0: these values come from the
//! reference C implementation (Python's `xxhash` package,
//! `xxh3_128_intdigest`), so any change of hash, seed or byte order fails.

use textdedup::Fingerprint;

#[test]
fn pinned_xxh3_128_vectors() {
    let vectors: [(&str, u128); 5] = [
        ("", 0x99aa06d3014798d86001c324468d497f),
        ("a", 0xa96faf705af16834e6c632b61e964e1f),
        ("the same words", 0xdf87e8c58695b2a9adc5023831d198e1),
        (
            "china s diplomatic push to counter u s isolation efforts",
            0x75492470f6376667d1aaf552a3d344a4,
        ),
        ("straße ΟΔΟΣ 東京", 0x864c172de54f9061fb14765d42523227),
    ];
    for (input, want) in vectors {
        let got = Fingerprint::of(input);
        assert_eq!(
            got,
            Fingerprint(want),
            "given {input:?}: expected {want:032x}, got {got}"
        );
    }
}

#[test]
fn display_is_32_hex_digits() {
    assert_eq!(
        Fingerprint::of("a").to_string(),
        "a96faf705af16834e6c632b61e964e1f"
    );
}
