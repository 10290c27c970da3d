// The originals' published config files, verbatim, as users keep them beside their checkpoints:
// jik876/hifi-gan config_v1.json, config_v2.json, config_v3.json and jaywalnut310/glow-tts
// configs/base.json. Tests load models with them (and with scaled-down copies that say so).

/** jik876/hifi-gan config_v1.json */
export const HIFIGAN_V1 = `{
    "resblock": "1",
    "num_gpus": 0,
    "batch_size": 16,
    "learning_rate": 0.0002,
    "adam_b1": 0.8,
    "adam_b2": 0.99,
    "lr_decay": 0.999,
    "seed": 1234,

    "upsample_rates": [8,8,2,2],
    "upsample_kernel_sizes": [16,16,4,4],
    "upsample_initial_channel": 512,
    "resblock_kernel_sizes": [3,7,11],
    "resblock_dilation_sizes": [[1,3,5], [1,3,5], [1,3,5]],

    "segment_size": 8192,
    "num_mels": 80,
    "num_freq": 1025,
    "n_fft": 1024,
    "hop_size": 256,
    "win_size": 1024,

    "sampling_rate": 22050,

    "fmin": 0,
    "fmax": 8000,
    "fmax_for_loss": null,

    "num_workers": 4,

    "dist_config": {
        "dist_backend": "nccl",
        "dist_url": "tcp://localhost:54321",
        "world_size": 1
    }
}
`;

/** jik876/hifi-gan config_v2.json */
export const HIFIGAN_V2 = `{
    "resblock": "1",
    "num_gpus": 0,
    "batch_size": 16,
    "learning_rate": 0.0002,
    "adam_b1": 0.8,
    "adam_b2": 0.99,
    "lr_decay": 0.999,
    "seed": 1234,

    "upsample_rates": [8,8,2,2],
    "upsample_kernel_sizes": [16,16,4,4],
    "upsample_initial_channel": 128,
    "resblock_kernel_sizes": [3,7,11],
    "resblock_dilation_sizes": [[1,3,5], [1,3,5], [1,3,5]],

    "segment_size": 8192,
    "num_mels": 80,
    "num_freq": 1025,
    "n_fft": 1024,
    "hop_size": 256,
    "win_size": 1024,

    "sampling_rate": 22050,

    "fmin": 0,
    "fmax": 8000,
    "fmax_for_loss": null,

    "num_workers": 4,

    "dist_config": {
        "dist_backend": "nccl",
        "dist_url": "tcp://localhost:54321",
        "world_size": 1
    }
}
`;

/** jik876/hifi-gan config_v3.json */
export const HIFIGAN_V3 = `{
    "resblock": "2",
    "num_gpus": 0,
    "batch_size": 16,
    "learning_rate": 0.0002,
    "adam_b1": 0.8,
    "adam_b2": 0.99,
    "lr_decay": 0.999,
    "seed": 1234,

    "upsample_rates": [8,8,4],
    "upsample_kernel_sizes": [16,16,8],
    "upsample_initial_channel": 256,
    "resblock_kernel_sizes": [3,5,7],
    "resblock_dilation_sizes": [[1,2], [2,6], [3,12]],

    "segment_size": 8192,
    "num_mels": 80,
    "num_freq": 1025,
    "n_fft": 1024,
    "hop_size": 256,
    "win_size": 1024,

    "sampling_rate": 22050,

    "fmin": 0,
    "fmax": 8000,
    "fmax_for_loss": null,

    "num_workers": 4,

    "dist_config": {
        "dist_backend": "nccl",
        "dist_url": "tcp://localhost:54321",
        "world_size": 1
    }
}
`;

/** jaywalnut310/glow-tts configs/base.json */
export const GLOWTTS_BASE = `{
  "train": {
    "use_cuda": true,
    "log_interval": 20,
    "seed": 1234,
    "epochs": 10000,
    "learning_rate": 1e0,
    "betas": [0.9, 0.98],
    "eps": 1e-9,
    "warmup_steps": 4000,
    "scheduler": "noam",
    "batch_size": 32,
    "ddi": true,
    "fp16_run": true
  },
  "data": {
    "load_mel_from_disk": false,
    "training_files":"filelists/ljs_audio_text_train_filelist.txt",
    "validation_files":"filelists/ljs_audio_text_val_filelist.txt",
    "text_cleaners":["english_cleaners"],
    "max_wav_value": 32768.0,
    "sampling_rate": 22050,
    "filter_length": 1024,
    "hop_length": 256,
    "win_length": 1024,
    "n_mel_channels": 80,
    "mel_fmin": 0.0,
    "mel_fmax": 8000.0,
    "add_noise": true,
    "cmudict_path": "data/cmu_dictionary"
  },
  "model": {
    "hidden_channels": 192,
    "filter_channels": 768,
    "filter_channels_dp": 256,
    "kernel_size": 3,
    "p_dropout": 0.1,
    "n_blocks_dec": 12,
    "n_layers_enc": 6,
    "n_heads": 2,
    "p_dropout_dec": 0.05,
    "dilation_rate": 1,
    "kernel_size_dec": 5,
    "n_block_layers": 4,
    "n_sqz": 2,
    "prenet": true,
    "mean_only": true,
    "hidden_channels_enc": 192,
    "hidden_channels_dec": 192,
    "window_size": 4
  }
}
`;
