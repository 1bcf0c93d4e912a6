package io.cargohold.testkit;

import java.util.Random;

/** Random edits for fuzz tests: the same seed gives the same mutants. */
public final class Mutations {

    private Mutations() {
    }

    /** A copy of {@code text} with one to four characters of {@code alphabet} replacing, removed or inserted. */
    public static String edit(String text, Random random, String alphabet) {
        StringBuilder mutated = new StringBuilder(text);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits && mutated.length() > 1; i++) {
            int at = random.nextInt(mutated.length());
            char c = alphabet.charAt(random.nextInt(alphabet.length()));
            switch (random.nextInt(3)) {
                case 0 -> mutated.setCharAt(at, c);
                case 1 -> mutated.deleteCharAt(at);
                default -> mutated.insert(at, c);
            }
        }
        return mutated.toString();
    }
}
