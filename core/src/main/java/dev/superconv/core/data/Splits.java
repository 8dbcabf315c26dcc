package dev.superconv.core.data;

/** The train and test splits of one data source; both use the same class list. */
public record Splits(Dataset train, Dataset test) {
    public Splits {
        if (!train.classes().equals(test.classes())) {
            throw new IllegalArgumentException("train classes " + train.classes() + " differ from test classes " + test.classes());
        }
        if (train.imageSize() != test.imageSize()) {
            throw new dev.superconv.core.BadInputException("train images are " + train.imageSize() + "×" + train.imageSize() + ", test images "
                    + test.imageSize() + "×" + test.imageSize() + "; give --image-size N to resize both");
        }
    }

    public Dataset get(Split split) {
        return split == Split.TRAIN ? train : test;
    }
}
