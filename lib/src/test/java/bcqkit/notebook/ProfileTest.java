package bcqkit.notebook;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileTest {

    @Test
    void parsesNamesCaseInsensitively() {
        Map<String, Profile> names = Map.of("smoke", Profile.SMOKE, "QUICK", Profile.QUICK, " Full ", Profile.FULL, "sMoKe", Profile.SMOKE);
        names.forEach((name, expected) -> assertEquals(expected, Profile.parse(name), name));
    }

    @Test
    void unsetOrEmptyMeansQuick() {
        assertEquals(Profile.QUICK, Profile.parse(null));
        assertEquals(Profile.QUICK, Profile.parse(""));
        assertEquals(Profile.QUICK, Profile.parse("  "));
    }

    @Test
    void rejectsUnknownNamesNamingTheValue() {
        for (String bad : new String[] {"fast", "smoke2", "quick full", "ful", "0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Profile.parse(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("BCQ_PROFILE"), e.getMessage());
        }
    }

    @Test
    void picksTheValueOfItsOwnProfile() {
        Object smoke = new Object(), quick = new Object(), full = new Object();
        assertSame(smoke, Profile.SMOKE.pick(smoke, quick, full));
        assertSame(quick, Profile.QUICK.pick(smoke, quick, full));
        assertSame(full, Profile.FULL.pick(smoke, quick, full));
        int rows = Profile.FULL.pick(64, 1024, 8192);
        assertEquals(8192, rows);
    }

    @Test
    void idsRoundTrip() {
        for (Profile p : Profile.values()) assertEquals(p, Profile.parse(p.id()));
    }
}
