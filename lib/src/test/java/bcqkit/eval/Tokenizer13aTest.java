package bcqkit.eval;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class Tokenizer13aTest {
    @Test
    void matchesSacreBleuOnEveryFixtureLine() {
        int n = 0;
        for (JsonElement e : BleuFixtures.ROOT.getAsJsonArray("tokenizer_13a")) {
            JsonObject t = e.getAsJsonObject();
            String line = t.get("line").getAsString();
            assertEquals(t.get("tokens").getAsString(), Tokenizer13a.tokenize(PyStrings.rstrip(line)), "line: " + line);
            n++;
        }
        assertEquals(92, n);
    }

    /** The mteval-v13a rules, one by one. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "it's fine|it's fine",
            "the U.S. team|the U . S . team",
            "$5.00 and 1,000|$ 5.00 and 1,000",
            "well-known 3-4 x-2|well-known 3 - 4 x-2",
            "\"quoted\"|\" quoted \"",
            "a.b,c 1.5,2 .5 5.|a . b , c 1.5,2 . 5 5 .",
            // entities are decoded one after another, so &amp;lt; ends as <
            "&quot;x&quot; &amp;lt;|\" x \" <",
            "a<skipped>b|ab",
            "path/to [x] {y} ~^_`@#%*+=;:|path / to [ x ] { y } ~ ^ _ ` @ # % * + = ; :",
            "end ..|end . .",
    })
    void rules(String in, String out) {
        assertEquals(out, Tokenizer13a.tokenize(in));
    }

    @Test
    void hyphenatedLineBreaksAreJoinedWithoutTheHyphenAndNewlinesAreSpaces() {
        assertEquals("selfevident next", Tokenizer13a.tokenize("self-\nevident\nnext"));
    }

    @Test
    void emojiNextToPunctuationStaysWhole() {
        assertArrayEquals(new String[] {"\uD83D\uDE00", ".", "\uD83D\uDE00", ",", "!"}, Tokenizer13a.tokens("\uD83D\uDE00.\uD83D\uDE00,!"));
    }
}
