import QtQuick
import QtMultimedia
import Stele

// A video, muted (no audio output at all), letterboxed like a picture. Shown once its first
// frame is loaded; it plays while on the glass, looping when its duration asks for more.
ContentSlide {
    id: slide

    ready: player.mediaStatus === MediaPlayer.LoadedMedia
           || player.mediaStatus === MediaPlayer.BufferedMedia
           || player.mediaStatus === MediaPlayer.EndOfMedia
    failure: player.error !== MediaPlayer.NoError ? "video: " + player.errorString
           : player.mediaStatus === MediaPlayer.InvalidMedia ? "video cannot be played" : ""
    // The manifest's duration, or the video's own length.
    durationMs: entry.durationMs > 0 ? Number(entry.durationMs) : Math.max(1000, player.duration)

    Rectangle {
        anchors.fill: parent
        color: Theme.letterbox
    }
    MediaPlayer {
        id: player
        source: slide.entry.source !== undefined ? slide.entry.source : ""
        videoOutput: output
        loops: MediaPlayer.Infinite
    }
    VideoOutput {
        id: output
        anchors.fill: parent
        fillMode: slide.entry.fit === "cover" ? VideoOutput.PreserveAspectCrop
                                              : VideoOutput.PreserveAspectFit
    }
    onPlayingChanged: playing ? player.play() : player.pause()
}
