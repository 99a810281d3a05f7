package bcqkit.notebook;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KitTest {
    @TempDir
    Path tmp;

    private Path checkout(String name) throws IOException {
        Path root = Files.createDirectories(tmp.resolve(name));
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.createDirectories(root.resolve("lib"));
        return root;
    }

    @Test
    void walksUpFromNestedDirectory() throws IOException {
        Path root = checkout("repo");
        Path deep = Files.createDirectories(root.resolve("notebooks/a/b"));
        assertEquals(root.toRealPath(), Kit.home(null, deep).toRealPath());
        assertEquals(root.toRealPath(), Kit.home("", root).toRealPath());
    }

    @Test
    void bcqHomeWinsOverTheWorkingDirectory() throws IOException {
        Path a = checkout("a"), b = checkout("b");
        assertEquals(b.toRealPath(), Kit.home(b.toString(), a).toRealPath());
    }

    @Test
    void rejectsBcqHomeThatIsNotACheckout() throws IOException {
        Path notRepo = Files.createDirectories(tmp.resolve("plain"));
        Files.writeString(notRepo.resolve("pom.xml"), "<project/>"); // pom.xml alone is not enough
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Kit.home(notRepo.toString(), tmp));
        assertTrue(e.getMessage().contains("BCQ_HOME='" + notRepo + "'"), e.getMessage());
    }

    @Test
    void failsOutsideACheckoutNamingTheStart() throws IOException {
        Path lone = Files.createDirectories(tmp.resolve("x/y"));
        Files.createDirectories(tmp.resolve("x/lib")); // lib/ without pom.xml is not a checkout either
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Kit.home(null, lone));
        assertTrue(e.getMessage().contains(lone.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("BCQ_HOME"), e.getMessage());
    }
}
