package bcqkit.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NumberWordsTest {
    /** Written by hand from Portuguese (European spelling) and American English usage. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0      | zero                                   | zero",
            "1      | um                                     | one",
            "2      | dois                                   | two",
            "3      | três                                   | three",
            "10     | dez                                    | ten",
            "11     | onze                                   | eleven",
            "14     | catorze                                | fourteen",
            "15     | quinze                                 | fifteen",
            "16     | dezasseis                              | sixteen",
            "17     | dezassete                              | seventeen",
            "19     | dezanove                               | nineteen",
            "20     | vinte                                  | twenty",
            "21     | vinte e um                             | twenty-one",
            "42     | quarenta e dois                        | forty-two",
            "99     | noventa e nove                         | ninety-nine",
            "100    | cem                                    | one hundred",
            "101    | cento e um                             | one hundred one",
            "115    | cento e quinze                         | one hundred fifteen",
            "200    | duzentos                               | two hundred",
            "342    | trezentos e quarenta e dois            | three hundred forty-two",
            "500    | quinhentos                             | five hundred",
            "999    | novecentos e noventa e nove            | nine hundred ninety-nine",
            "1000   | mil                                    | one thousand",
            "1001   | mil e um                               | one thousand one",
            "1100   | mil e cem                              | one thousand one hundred",
            "1200   | mil e duzentos                         | one thousand two hundred",
            "1234   | mil duzentos e trinta e quatro         | one thousand two hundred thirty-four",
            "2000   | dois mil                               | two thousand",
            "2050   | dois mil e cinquenta                   | two thousand fifty",
            "12345  | doze mil trezentos e quarenta e cinco  | twelve thousand three hundred forty-five",
            "100000 | cem mil                                | one hundred thousand",
            "101000 | cento e um mil                         | one hundred one thousand",
            "999999 | novecentos e noventa e nove mil novecentos e noventa e nove | nine hundred ninety-nine thousand nine hundred ninety-nine",
    })
    void masculineAndEnglish(int n, String pt, String en) {
        assertEquals(pt, NumberWords.portuguese(n));
        assertEquals(en, NumberWords.english(n));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1      | uma",
            "2      | duas",
            "21     | vinte e uma",
            "100    | cem",
            "101    | cento e uma",
            "200    | duzentas",
            "302    | trezentas e duas",
            "1001   | mil e uma",
            "2000   | duas mil",
            "222222 | duzentas e vinte e duas mil duzentas e vinte e duas",
            "13     | treze",
    })
    void feminine(int n, String pt) {
        assertEquals(pt, NumberWords.portuguese(n, true));
    }

    @Test
    void rejectsOutOfRange() {
        assertEquals("number -1 is outside 0..999999", assertThrows(IllegalArgumentException.class, () -> NumberWords.portuguese(-1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> NumberWords.english(1_000_000));
    }
}
