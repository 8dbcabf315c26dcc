package dev.superconv.core.augment;

/**
 * airbench's derandomised flip: each image gets one fixed random flip (a fair coin per image and
 * seed), and every odd epoch mirrors all images, so any two consecutive epochs show every image
 * once each way. Compared with an independent flip per epoch, no image is seen unmirrored (or
 * mirrored) several epochs in a row, which helps short runs (Jordan 2024, "airbench").
 */
public record AlternatingFlip() implements Transform {
    @Override
    public void draw(SampleRandom rng, SamplePlan plan) {
        // Reads no value from the epoch's stream, so adding it moves no other transform's draws.
        if (rng.sampleCoin() ^ (rng.epoch() % 2 == 1)) {
            plan.flip();
        }
    }
}
