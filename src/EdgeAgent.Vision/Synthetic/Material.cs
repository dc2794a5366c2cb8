namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// The materials a die layout is drawn in. The layout is rendered once as a map of these ids and then
/// turned into the gray template and the colour image through look-up tables, so both see exactly the
/// same geometry while their intensities relate to each other non-linearly, as on a real AOI.
/// </summary>
internal enum Material : byte
{
    Passivation = 0,
    Bump = 1,
    BumpHighlight = 2,
    Trace = 3,
    LargePad = 4,
    Street = 5,
    SealRing = 6,
    Mark = 7,
    Via = 8,

    // Ball-array (BGA) materials. Ids only grow: the palette draws jitter per material in id order.
    BallRim = 9,
    PadOpening = 10,
}
