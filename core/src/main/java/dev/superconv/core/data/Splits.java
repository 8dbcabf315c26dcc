package dev.superconv.core.data;

/** The train and test splits of one data source; both use the same class list. */
public record Splits(Dataset train, Dataset test) {
    public Splits {
        if (!train.classes().equals(test.classes())) {
            throw new IllegalArgumentException("train classes " + train.classes() + " differ from test classes " + test.classes());
        }
    }

    public Dataset get(Split split) {
        return split == Split.TRAIN ? train : test;
    }
}
