package editor

import "fmt"

// UserSecret reads the secret called key of user from the secrets file at
// path (Deps.SecretsFile), for the workflows the user runs
// (lib.secret.GetSecret): a user reads only their own secrets. ok is false
// when the user has none by that name. The file is read on each call, so
// a secret saved in the settings is seen by the next run. Errors name the
// file, never a value.
func UserSecret(path, user, key string) (value string, ok bool, err error) {
	secrets := secretsFile{}
	if err := readJSONFile(path, &secrets, true); err != nil {
		return "", false, fmt.Errorf("the secrets file: %w", err)
	}
	sec := secrets[user][key]
	if sec == nil || sec.Value == "" {
		return "", false, nil
	}
	return sec.Value, true, nil
}
