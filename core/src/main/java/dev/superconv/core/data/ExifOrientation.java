package dev.superconv.core.data;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/** The EXIF orientation tag of a JPEG (TwelveMonkeys' segment and TIFF readers); 1 when absent or unreadable. */
final class ExifOrientation {
    private ExifOrientation() {}

    static int of(byte[] file) {
        if (file.length < 4 || (file[0] & 0xFF) != 0xFF || (file[1] & 0xFF) != 0xD8) {
            return 1; // EXIF orientation is only read from JPEG files
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(file))) {
            List<JPEGSegment> exif = JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif");
            if (exif.isEmpty()) {
                return 1;
            }
            InputStream data = exif.getFirst().data();
            data.read(); // the pad byte after "Exif\0"
            try (ImageInputStream tiff = new MemoryCacheImageInputStream(data)) {
                Directory ifd = new TIFFReader().read(tiff);
                Entry e = ifd.getEntryById(TIFF.TAG_ORIENTATION);
                return e != null && e.getValue() instanceof Number n ? n.intValue() : 1;
            }
        } catch (IOException | RuntimeException e) {
            return 1; // damaged metadata: the pixels still decode, shown as stored
        }
    }
}
