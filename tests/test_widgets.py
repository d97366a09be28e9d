"""Widgets without a browser: ipywidgets 8 run without a kernel (setting ``.value`` fires the
observers, ``Button.click()`` the handlers), so every behaviour is checked through widget state."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from PIL import Image

import vidkit as vk
from vidkit.widgets import CompareViewer, GenerationPanel, TrajectoryViewer, frame_png


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _upload(name: str, mime: str, data: bytes) -> dict:
    """A FileUpload value entry, as the browser sends it."""
    now = dt.datetime.now(dt.timezone.utc)
    return {"name": name, "type": mime, "size": len(data), "content": data, "last_modified": now}


@pytest.fixture(scope="module")
def videos() -> dict[str, vk.Video]:
    clean = vk.synth.render("bounce", seed=0, size=32, frames=12).video
    short = vk.synth.render("bounce", seed=0, size=32, frames=12, violation="teleport").video[:8]
    return {"clean": clean, "short": short}


@pytest.fixture(scope="module")
def pipe():
    return vk.testing.tiny_pipeline("wan", "t2v")


def test_frame_png() -> None:
    frame = np.zeros((16, 8, 3), np.float32)
    frame[:, :4, 0] = 1.0
    img = _decode(frame_png(frame, height=64))
    assert img.shape == (64, 32, 3)  # enlarged 4x, nearest neighbour
    assert (img[:, :16, 0] == 255).all() and (img[:, 16:, 0] == 0).all()
    assert _decode(frame_png(frame, height=None)).shape == (16, 8, 3)
    with pytest.raises(ValueError, match=r"\[H, W, 3\]"):
        frame_png(np.zeros((4, 4)))


def _frame_pngs(html_text: str) -> list[np.ndarray]:
    """The frames an HTML frame view shows, decoded."""
    import base64
    import re

    return [
        _decode(base64.b64decode(m))
        for m in re.findall(r'class="vidkit-frame" src="data:image/png;base64,([^"]+)"', html_text)
    ]


def test_compare_viewer_follows_its_slider(videos: dict[str, vk.Video]) -> None:
    viewer = CompareViewer(videos, height=64)
    assert viewer.titles == ["clean", "short"]
    assert viewer.slider.max == 11 and viewer.play.max == 11 and viewer.num_frames == 12
    # every frame is in the page from the start: one view per frame in a Stack
    assert len(viewer.frames.children) == 12
    # play -> slider -> shown frame are front-end links: playback never waits for the kernel
    assert viewer._link.source == (viewer.play, "value")
    assert viewer._link.target == (viewer.slider, "value")
    assert viewer._frame_link.source == (viewer.slider, "value")
    assert viewer._frame_link.target == (viewer.frames, "selected_index")
    assert viewer.play.interval == int(1000 / videos["clean"].fps) and viewer.play.repeat
    for f in (0, 5, 11):
        view = viewer.frames.children[f].value
        shown = _frame_pngs(view)
        assert len(shown) == 2
        for img, v in zip(shown, videos.values()):
            # the shorter video holds its last frame; PNGs at their own size (CSS enlarges them)
            np.testing.assert_array_equal(
                img, _decode(frame_png(v.frames[min(f, len(v) - 1)], None))
            )
        assert 'class="vidkit-time"' in view and f">{f + 1}/12 " in view
        assert "image-rendering:pixelated" in view and "height:64px" in view
    # setting the slider from Python shows that frame
    viewer.slider.value = 5
    assert viewer.frame == 5 and viewer.frames.selected_index == 5


def test_compare_viewer_static_fallback(videos: dict[str, vk.Video]) -> None:
    viewer = CompareViewer(videos, height=64)
    bundle = viewer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the widget, where it runs
    html = bundle["text/html"]  # what exported HTML and GitHub show instead
    assert html == viewer.static_html()
    assert 'src="data:image/gif;base64,' in html
    import base64
    import re

    gif = base64.b64decode(re.search(r"data:image/gif;base64,([^\"]+)", html).group(1))
    with Image.open(io.BytesIO(gif)) as im:
        assert getattr(im, "n_frames", 1) == 12  # animated: every frame of the longest video


def test_compare_viewer_add_and_errors(videos: dict[str, vk.Video]) -> None:
    viewer = CompareViewer([videos["short"]], height=32)
    assert viewer.titles == ["0"] and viewer.slider.max == 7
    viewer.add("long", videos["clean"])
    assert viewer.slider.max == 11 and len(viewer.frames.children) == 12
    assert len(_frame_pngs(viewer.frames.children[11].value)) == 2
    assert list(viewer.videos) == ["0", "long"]
    with pytest.raises(ValueError, match="already shown"):
        viewer.add("long", videos["clean"])
    with pytest.raises(ValueError, match="at least one video"):
        CompareViewer({})
    with pytest.raises(TypeError, match="videos must be"):
        CompareViewer(3)
    with pytest.raises(FileNotFoundError, match="video 'x'"):
        CompareViewer({"x": "no such video.mp4"})
    with pytest.raises(TypeError, match="video 'y'"):
        CompareViewer({"y": 3.5})
    with pytest.raises(ValueError, match="height"):
        CompareViewer(videos, height=4)


def test_trajectory_viewer(pipe) -> None:
    out = vk.generate(
        pipe, prompt="a red ball falls", steps=3, num_frames=5, record="x0", progress=False
    )
    viewer = TrajectoryViewer(out, height=32)
    traj = out.metadata["trajectory"]
    # the slider is labelled with each step's number in the run (no second, 0-based number)
    labels = [label for label, _ in viewer.step_slider.options]
    assert labels == [f"{s + 1}/{traj.num_steps}" for s in traj.steps]
    assert viewer.step_index == len(traj.videos) - 1  # starts at the result
    assert viewer.step_slider.label == f"{traj.num_steps}/{traj.num_steps}"
    assert "/" not in viewer.info.value and "(the result)" in viewer.info.value
    last = viewer.image.value
    np.testing.assert_array_equal(_decode(last), _decode(frame_png(traj.videos[-1].frames[0], 32)))
    assert viewer.x0_image is not None and viewer.x0_image.value
    viewer.step_slider.value = 0
    assert viewer.image.value != last
    assert viewer.step_slider.label == f"{traj.steps[0] + 1}/{traj.num_steps}"
    viewer.frame_slider.value = 3
    np.testing.assert_array_equal(
        _decode(viewer.image.value), _decode(frame_png(traj.videos[0].frames[3], 32))
    )
    # where widgets cannot run: the recorded steps as labelled GIFs
    html = viewer._repr_mimebundle_()["text/html"]
    assert html.count('src="data:image/gif;base64,') == len(traj.videos) <= 6
    assert f"step {traj.num_steps}/{traj.num_steps}" in html
    with pytest.raises(ValueError, match="no recorded trajectory"):
        TrajectoryViewer(vk.Video(np.zeros((2, 8, 8, 3))))
    with pytest.raises(TypeError, match="Trajectory"):
        TrajectoryViewer("x")


def test_generation_panel_generate_and_compare(pipe) -> None:
    panel = GenerationPanel(pipe, height=32)
    assert panel.steps.value == pipe.defaults["steps"]
    # a small model is warmed up; nothing is shown yet (no broken-image icon: preview hidden)
    assert panel._warm and "warmed up" in panel.status.value
    assert panel.preview.layout.display == "none" and panel.result is None
    panel.prompt.value = "a blue ball bounces"
    panel.steps.value = 2
    panel.frames.value = 5
    panel.seed.value = 4
    assert panel.add_button.disabled
    panel.generate_button.click()
    assert panel.error is None, panel.status.value
    v = panel.result
    assert isinstance(v, vk.Video) and v.num_frames == 5
    assert v.metadata["seed"] == 4 and v.metadata["steps"] == 2
    assert panel.progress.value == panel.progress.max == 2
    assert panel.preview.value[:4] == b"\x89PNG"  # the live latent preview was drawn
    assert panel.preview.layout.display != "none"
    assert "<video" in panel.output.value and "done in" in panel.status.value
    static = panel._repr_mimebundle_()["text/html"]  # exported notebooks show the last result
    assert "<video" in static and "static copy" in static
    # the same settings give the same video
    same = vk.generate(
        pipe, prompt="a blue ball bounces", seed=4, steps=2, num_frames=5, progress=False
    )
    np.testing.assert_array_equal(same.frames, v.frames)

    assert not panel.add_button.disabled
    panel.add_button.click()
    panel.seed.value = 5
    panel.generate_button.click()
    panel.add_button.click()
    # labels name the prompt, the seed and the steps
    first = "a blue ball bounces · seed 4 · 2 steps"
    assert list(panel.comparison) == [first, "a blue ball bounces · seed 5 · 2 steps"]
    assert panel.viewer is not None and panel.viewer.titles == list(panel.comparison)
    assert panel.viewer in panel.children[-1].children
    assert "trajectory" not in panel.comparison[first].metadata


def test_generation_panel_without_warmup_says_so(pipe) -> None:
    panel = GenerationPanel(pipe, height=32, warmup=False)
    assert not panel._warm and "first run" in panel.status.value


def test_generation_panel_records_and_conditions(pipe) -> None:
    panel = GenerationPanel(pipe, height=32)
    panel.steps.value = 2
    panel.frames.value = 5
    panel.record.value = True
    panel.generate_button.click()
    assert panel.error is None, panel.status.value
    viewers = [c for c in panel.children[-1].children if isinstance(c, TrajectoryViewer)]
    assert len(viewers) == 1
    # every step is recorded: the viewer's steps start at step 1
    assert viewers[0].trajectory.steps == [0, 1]
    # a video upload makes it video-to-video
    clip = vk.synth.render("bounce", seed=1, size=16, frames=5).video
    data = vk.write_video("/tmp/vidkit_widget_upload.mp4", clip).read_bytes()
    upload = _upload("clip.mp4", "video/mp4", data)
    panel.video_upload.value = (upload,)
    panel.record.value = False
    panel.strength.value = 0.5
    kw = panel.settings()
    assert kw["video"].num_frames == 5 and kw["strength"] == 0.5
    panel.generate_button.click()
    assert panel.error is None, panel.status.value
    assert panel.result.metadata.get("task") == "v2v"


def test_generation_panel_reports_errors(pipe) -> None:
    panel = GenerationPanel(pipe)
    panel.prompt.value = "   "
    panel.generate_button.click()
    assert panel.result is None and "prompt is empty" in panel.error
    assert "error" in panel.status.value and not panel.generate_button.disabled
    panel.add_button.click()  # nothing generated yet
    assert "generate a video first" in panel.error
    png = io.BytesIO()
    Image.new("RGB", (16, 16)).save(png, format="PNG")
    img = _upload("a.png", "image/png", png.getvalue())
    vid = _upload("a.mp4", "video/mp4", b"x")
    panel.prompt.value = "a ball"
    panel.image_upload.value = (img,)
    panel.video_upload.value = (vid,)
    panel.generate_button.click()
    assert "not both" in panel.error
    with pytest.raises(TypeError, match="GenerationPanel needs"):
        GenerationPanel("not a pipeline")
