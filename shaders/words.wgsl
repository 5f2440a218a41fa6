// Carry and borrow chains on 32-bit words, shared by both arithmetic paths. Carries and
// borrows are 0/1 values computed from comparisons (set-on-less-than), never branches.

// a + b + carry (carry 0 or 1) as (sum, carry out).
fn adc(a: u32, b: u32, carry: u32) -> vec2<u32> {
    let s = a + b;
    let c1 = u32(s < a);
    let s2 = s + carry;
    let c2 = u32(s2 < carry);
    return vec2<u32>(s2, c1 | c2);
}

// a - b - borrow (borrow 0 or 1) as (difference, borrow out).
fn sbb(a: u32, b: u32, borrow: u32) -> vec2<u32> {
    let d = a - b;
    let b1 = u32(a < b);
    let d2 = d - borrow;
    let b2 = u32(d < borrow);
    return vec2<u32>(d2, b1 | b2);
}
